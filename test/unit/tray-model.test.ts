import { describe, expect, it } from 'vitest';
import type { SyncProgressDto, SyncStatusDto, SyncSummaryDto } from '../../preload/api';
import {
  newErrors,
  TOOLTIP_MAX,
  trayImageFile,
  trayMenuModel,
  trayToolTip,
} from '../../main/core/service/tray-model';
import { existsSync } from 'node:fs';

const summary = (errors: SyncSummaryDto['errors'] = []): SyncSummaryDto => ({
  ok: errors.length === 0,
  users: 3,
  toGoogle: { created: 2, updated: 1, deleted: 0 },
  toSevera: { created: 1, updated: 0, deleted: 1 },
  conflicts: 0,
  held: 0,
  errors,
});
const status = (patch: Partial<SyncStatusDto>): SyncStatusDto => ({
  state: 'idle',
  running: false,
  lastRun: null,
  nextRunAt: null,
  held: [],
  ...patch,
});
const run = (s: SyncSummaryDto) => ({
  startedAt: '2026-03-01T10:02:00Z',
  finishedAt: '2026-03-01T10:03:00Z',
  summary: s,
});

describe('tray model', () => {
  it('has an image per state and OS, and every one exists in assets/tray', () => {
    for (const state of ['idle', 'syncing', 'error', 'paused'] as const)
      for (const platform of ['darwin', 'win32', 'linux'] as const) {
        const file = trayImageFile(state, platform);
        expect(existsSync(new URL(`../../assets/tray/${file}`, import.meta.url)), file).toBe(true);
      }
    expect(trayImageFile('error', 'darwin')).toBe('errorTemplate.png');
    expect(trayImageFile('error', 'win32')).toBe('error.ico');
    expect(trayImageFile('error', 'linux')).toBe('error.png');
    expect(existsSync(new URL('../../assets/tray/errorTemplate@2x.png', import.meta.url))).toBe(
      true,
    );
  });

  it('menu: last result, Sync now, Open, Pause or Resume, Quit', () => {
    const menu = trayMenuModel(status({ lastRun: run(summary()) }), 'en', 'UTC');
    expect(menu.map((i) => i.id)).toEqual(['last-result', 'sync-now', 'open', 'pause', 'quit']);
    expect(menu[0]).toEqual({
      id: 'last-result',
      label: 'Last sync 10:03: ✓ 5 changes',
      enabled: false,
    });
    const paused = trayMenuModel(status({ state: 'paused' }), 'fi');
    expect(paused.map((i) => i.label)).toEqual([
      'Ei vielä synkronoitu',
      'Synkronoi nyt',
      'Avaa',
      'Jatka taustasynkronointia',
      'Lopeta',
    ]);
    const failed = trayMenuModel(
      status({
        state: 'error',
        lastRun: run(summary([{ user: 'a@x.fi', message: 'boom', step: null }])),
      }),
      'fi',
      'UTC',
    );
    expect(failed[0]?.label).toBe('Viimeksi 10.03: ⚠ 1 virhettä');
    const running = trayMenuModel(status({ state: 'syncing', running: true }), 'en');
    expect(running[0]?.label).toBe('Syncing…');
    expect(running.find((i) => i.id === 'sync-now')?.enabled).toBe(false);
  });

  it('notifies only errors the previous run did not have', () => {
    const a = { user: 'a@x.fi', message: 'Invalid email or User ID', step: 'pre.same-email' };
    const b = { user: 'b@x.fi', message: 'rate limited', step: null };
    expect(newErrors(null, summary([a]))).toEqual([a]);
    expect(newErrors(summary([a]), summary([a, b]))).toEqual([b]);
    expect(newErrors(summary([a, b]), summary([a]))).toEqual([]);
    expect(newErrors(summary([a]), summary())).toEqual([]);
  });

  it('tooltip: the progress line while a run goes on, the last result otherwise', () => {
    const progress: SyncProgressDto = {
      runId: 7,
      phase: 'users',
      usersDone: 120,
      usersTotal: 1000,
      written: { toGoogle: 340, toSevera: 12 },
      itemsPerSecond: 4.25,
      severaRequestsPerSecond: 9.8,
      elapsedSeconds: 300,
      etaSeconds: 725,
      resumed: null,
    };
    const running = status({ state: 'syncing', running: true, progress });
    expect(trayToolTip(running, 'en')).toBe(
      'Severa Calendar Sync — 120 of 1,000 users · → Google 340, → Severa 12 · 4.3 items/s · about 12 min left',
    );
    expect(trayToolTip(running, 'fi')).toBe(
      'Severa Calendar Sync — 120/1\u00a0000 käyttäjää · → Google 340, → Severa 12 · 4,3 merkintää/s · noin 12 min jäljellä',
    );
    // Before Severa's first user page there is nothing to count yet.
    const reading = { ...progress, usersTotal: 0, usersDone: 0, etaSeconds: null };
    expect(trayToolTip(status({ running: true, progress: reading }), 'en')).toBe(
      'Severa Calendar Sync — reading Severa · → Google 340, → Severa 12 · 4.3 items/s',
    );
    // Windows cuts a tooltip at 127 characters: the resumed note ends in an ellipsis instead.
    const resumed = trayToolTip(
      status({
        running: true,
        progress: {
          ...progress,
          resumed: { previousRunStartedAt: '2026-03-01T10:00:00Z', usersDone: 80 },
        },
      }),
      'en',
    );
    expect(resumed.length).toBe(TOOLTIP_MAX);
    expect(resumed.endsWith('…')).toBe(true);
    // A finished run (its last event still held) and an idle app show the last result.
    const finished = status({ lastRun: run(summary()), progress: { ...progress, phase: 'done' } });
    expect(trayToolTip(finished, 'en', 'UTC')).toBe(
      'Severa Calendar Sync — Last sync 10:03: ✓ 5 changes',
    );
    expect(trayToolTip(status({ running: true }), 'en')).toBe('Severa Calendar Sync — Syncing…');
  });
});
