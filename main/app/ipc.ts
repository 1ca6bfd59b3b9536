import { ipcMain, webContents, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { REQUEST_CHANNELS, type ApiEvents, type EventChannel } from '../../preload/api';
import type { Logger } from '../core/log';
import type { AppService } from '../core/service/app-service';

/**
 * The only file that uses ipcMain. Every request channel of the contract is handled here: the
 * sender must be one of our own windows' main frames (GitHub Desktop's trusted-sender set,
 * Electron checklist item 17), then the service validates the arguments (zod) and runs the call.
 */
const trustedSenders = new Set<number>();

export function trustWebContents(contents: WebContents): void {
  const id = contents.id;
  trustedSenders.add(id);
  contents.once('destroyed', () => trustedSenders.delete(id));
}

/** Whether these contents are one of our own windows (the permission handlers ask too). */
export const isTrustedContents = (contents: WebContents): boolean =>
  trustedSenders.has(contents.id);

const isTrusted = (event: IpcMainInvokeEvent): boolean =>
  isTrustedContents(event.sender) &&
  event.senderFrame !== null &&
  event.senderFrame === event.sender.mainFrame;

export function registerIpcHandlers(service: Pick<AppService, 'dispatch'>, logger: Logger): void {
  for (const channel of REQUEST_CHANNELS) {
    ipcMain.handle(channel, (event, ...args: unknown[]) => {
      if (!isTrusted(event)) {
        logger.warn('dropped a request from an untrusted sender', {
          channel,
          sender: event.sender.id,
        });
        throw new Error('Untrusted sender');
      }
      return service.dispatch(channel, args);
    });
  }
}

/** Sends a live event to every trusted window. */
export function sendEvent<E extends EventChannel>(event: E, payload: ApiEvents[E]): void {
  for (const id of trustedSenders) {
    const contents = webContents.fromId(id);
    if (contents && !contents.isDestroyed()) contents.send(event, payload);
  }
}
