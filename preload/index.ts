import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { EVENT_CHANNELS, createRendererApi, type EventChannel } from './api';

/**
 * The preload: exposes exactly the typed contract as `window.api` and nothing else (no
 * ipcRenderer, no Node). Runs sandboxed, so it is bundled into one CommonJS file.
 */
const subscribe = (event: EventChannel, listener: (payload: unknown) => void) => {
  if (!EVENT_CHANNELS.includes(event)) throw new Error(`Unknown event: ${String(event)}`);
  // The Electron event object is not handed to the page: only the payload.
  const forward = (_event: IpcRendererEvent, payload: unknown) => listener(payload);
  ipcRenderer.on(event, forward);
  return () => {
    ipcRenderer.removeListener(event, forward);
  };
};

contextBridge.exposeInMainWorld(
  'api',
  createRendererApi((channel, args) => ipcRenderer.invoke(channel, ...args), subscribe),
);
