import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { beforeAll, describe, expect, it } from 'vitest';
import { EVENT_CHANNELS, REQUEST_CHANNELS } from '../../preload/api';
import { ROOT } from '../helpers/built-app';

/**
 * The BUILT preload (dist/preload/index.cjs) in a VM whose `require` offers only what
 * Electron's sandboxed preload offers (the renderer-side `electron` modules, `events`,
 * `timers`, `url`): a bundle that still needs anything else fails here as it would in the app.
 */
const SANDBOXED_MODULES = ['electron', 'events', 'timers', 'url'];

describe('the built preload in a sandboxed-preload VM', () => {
  const exposed = new Map<string, Record<string, (...args: unknown[]) => unknown>>();
  const invoked: { channel: string; args: unknown[] }[] = [];
  const listeners = new Map<string, Set<(...args: unknown[]) => void>>();
  const required: string[] = [];

  beforeAll(() => {
    const electron = {
      contextBridge: {
        exposeInMainWorld: (key: string, value: Record<string, (...a: unknown[]) => unknown>) =>
          exposed.set(key, value),
      },
      ipcRenderer: {
        invoke: async (channel: string, ...args: unknown[]) => {
          invoked.push({ channel, args });
          return { ok: true };
        },
        on: (event: string, listener: (...args: unknown[]) => void) => {
          if (!listeners.has(event)) listeners.set(event, new Set());
          listeners.get(event)!.add(listener);
        },
        removeListener: (event: string, listener: (...args: unknown[]) => void) =>
          listeners.get(event)?.delete(listener),
      },
    };
    const sandboxRequire = (name: string) => {
      required.push(name);
      if (!SANDBOXED_MODULES.includes(name))
        throw new Error(`module not found: ${name} (a sandboxed preload cannot require it)`);
      return name === 'electron'
        ? electron
        : (createRequire(import.meta.url)(`node:${name}`) as unknown);
    };
    const module = { exports: {} };
    const code = readFileSync(join(ROOT, 'dist/preload/index.cjs'), 'utf8');
    runInNewContext(
      code,
      { require: sandboxRequire, module, exports: module.exports },
      {
        filename: 'index.cjs',
      },
    );
  });

  it('requires only what a sandboxed preload has', () => {
    expect(required.every((name) => SANDBOXED_MODULES.includes(name))).toBe(true);
  });

  it('exposes exactly window.api: one method per request channel plus on()', () => {
    expect([...exposed.keys()]).toEqual(['api']);
    expect(Object.keys(exposed.get('api')!).sort()).toEqual([...REQUEST_CHANNELS, 'on'].sort());
  });

  it('forwards calls cut to the contract and events without the Electron event object', async () => {
    const api = exposed.get('api')!;
    await api.setChecklistStep!('gcp.project', true, 'extra argument');
    expect(invoked.at(-1)).toEqual({ channel: 'setChecklistStep', args: ['gcp.project', true] });
    const received: unknown[] = [];
    const off = api.on!('log-entry', (payload: unknown) => received.push(payload)) as () => void;
    const [listener] = listeners.get('log-entry')!;
    listener!({ sender: 'electron event object' }, { id: 1 });
    expect(received).toEqual([{ id: 1 }]);
    off();
    expect(listeners.get('log-entry')!.size).toBe(0);
    expect(() => api.on!('not-an-event', () => undefined)).toThrow('Unknown event');
    expect(EVENT_CHANNELS).toContain('log-entry');
  });
});
