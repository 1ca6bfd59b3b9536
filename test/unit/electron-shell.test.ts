import { beforeEach, describe, expect, it, vi } from 'vitest';
import { REQUEST_CHANNELS } from '../../preload/api';
import { silentLogger } from '../../main/core/log';

/**
 * The shell's IPC wiring, with Electron's modules replaced by recorders: the Electron binary
 * cannot run here, and what matters is what our code asks of those modules. (The built preload
 * is tested in test/integration/built-preload.test.ts.)
 */
type Handler = (event: unknown, ...args: unknown[]) => unknown;
const electron = vi.hoisted(() => ({
  handlers: new Map<string, (event: unknown, ...args: unknown[]) => unknown>(),
  sent: [] as { id: number; event: string; payload: unknown }[],
  contents: new Map<
    number,
    { id: number; isDestroyed: () => boolean; send: (e: string, p: unknown) => void }
  >(),
}));

vi.mock('electron', () => ({
  ipcMain: {
    handle: (channel: string, handler: Handler) => electron.handlers.set(channel, handler),
  },
  webContents: { fromId: (id: number) => electron.contents.get(id) },
}));

/** A stand-in WebContents: `destroyed` listeners and a main frame. */
function fakeContents(id: number) {
  const destroyed: (() => void)[] = [];
  const contents = {
    id,
    mainFrame: { url: 'file:///app/index.html' },
    isDestroyed: () => false,
    send: (event: string, payload: unknown) => electron.sent.push({ id, event, payload }),
    once: (name: string, listener: () => void) =>
      void (name === 'destroyed' && destroyed.push(listener)),
    destroy: () => destroyed.forEach((l) => l()),
  };
  electron.contents.set(id, contents);
  return contents;
}

describe('main/app/ipc.ts', () => {
  beforeEach(() => {
    electron.handlers.clear();
    electron.sent.length = 0;
  });

  it('handles every request channel, only from a trusted main frame, through service.dispatch', async () => {
    const { registerIpcHandlers, trustWebContents } = await import('../../main/app/ipc');
    const dispatched: { channel: string; args: unknown }[] = [];
    registerIpcHandlers(
      { dispatch: async (channel, args) => (dispatched.push({ channel, args }), 'result') },
      silentLogger,
    );
    expect([...electron.handlers.keys()].sort()).toEqual([...REQUEST_CHANNELS].sort());

    const ours = fakeContents(1);
    const stranger = fakeContents(2);
    trustWebContents(ours as never);
    const handler = electron.handlers.get('updateSettings')!;

    await expect(
      handler({ sender: ours, senderFrame: ours.mainFrame }, { sync: { intervalMinutes: 5 } }),
    ).resolves.toBe('result');
    expect(dispatched).toEqual([
      { channel: 'updateSettings', args: [{ sync: { intervalMinutes: 5 } }] },
    ]);

    expect(() => handler({ sender: stranger, senderFrame: stranger.mainFrame }, {})).toThrow(
      'Untrusted sender',
    );
    // A subframe (an iframe) of our own window is not trusted either.
    expect(() =>
      handler({ sender: ours, senderFrame: { url: 'https://evil.example/' } }, {}),
    ).toThrow('Untrusted sender');
    ours.destroy();
    expect(() => handler({ sender: ours, senderFrame: ours.mainFrame }, {})).toThrow(
      'Untrusted sender',
    );
    expect(dispatched).toHaveLength(1);
  });

  it('sends live events to trusted windows only', async () => {
    const { sendEvent, trustWebContents } = await import('../../main/app/ipc');
    const ours = fakeContents(3);
    fakeContents(4);
    trustWebContents(ours as never);
    sendEvent('state-changed', { demo: true } as never);
    expect(electron.sent).toEqual([{ id: 3, event: 'state-changed', payload: { demo: true } }]);
  });
});
