import { describe, expect, it } from 'vitest';
import type { SyncProgress } from '../../main/core/sync/progress';
import {
  DAEMON_PROGRESS_EVERY_MS,
  daemonProgressReporter,
  syncProgressReporter,
  type OutputStream,
} from '../../main/cli/progress';

const progress = (patch: Partial<SyncProgress> = {}): SyncProgress => ({
  runId: 3,
  phase: 'users',
  usersDone: 120,
  usersTotal: 1000,
  written: { toGoogle: 340, toSevera: 12 },
  itemsPerSecond: 4.2,
  severaRequestsPerSecond: 9.8,
  elapsedSeconds: 300,
  etaSeconds: 725,
  resumed: null,
  ...patch,
});

const stream = (tty: Partial<OutputStream> = {}) => {
  const written: string[] = [];
  return { written, ...tty, write: (text: string) => written.push(text) };
};

describe('the CLI progress', () => {
  it('--json: one {"event":"progress"} object per line with the engine’s fields', () => {
    const out = stream({ isTTY: true });
    const r = syncProgressReporter(out, { json: true, language: 'en' });
    r.onProgress!(progress());
    r.onProgress!(progress({ phase: 'done', usersDone: 1000, etaSeconds: null }));
    r.end();
    const lines = out.written.join('').split('\n').filter(Boolean);
    expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual([
      { event: 'progress', time: expect.any(String), ...progress() },
      expect.objectContaining({ event: 'progress', phase: 'done', usersDone: 1000 }),
    ]);
  });

  it('a terminal: one line rewritten in place, cut to its width, erased at the end', () => {
    const out = stream({ isTTY: true, columns: 72 });
    const r = syncProgressReporter(out, { json: false, language: 'fi' });
    r.onProgress!(progress({ usersDone: 0, usersTotal: 0, etaSeconds: null }));
    r.onProgress!(progress());
    r.end();
    expect(out.written[0]).toBe(
      '\r\x1b[2Kluetaan Severaa · → Google 340, → Severa 12 · 4,2 merkintää/s',
    );
    expect(out.written[1]!.startsWith('\r\x1b[2K120/1\u00a0000 käyttäjää · → Google 340, ')).toBe(
      true,
    );
    expect(out.written[1]!.endsWith('…')).toBe(true);
    expect(out.written[1]!.length - '\r\x1b[2K'.length).toBe(71);
    expect(out.written.join('')).not.toContain('\n');
    expect(out.written.at(-1)).toBe('\r\x1b[2K');
  });

  it('a terminal that does not say its width (0) gets 80 columns', () => {
    const out = stream({ isTTY: true, columns: 0 });
    syncProgressReporter(out, { json: false, language: 'en' }).onProgress!(
      progress({ resumed: { previousRunStartedAt: '2026-03-01T10:00:00Z', usersDone: 80 } }),
    );
    expect(out.written[0]!.length - '\r\x1b[2K'.length).toBe(79);
  });

  it('not a terminal and no --json: nothing at all', () => {
    const out = stream({ isTTY: false });
    const r = syncProgressReporter(out, { json: false, language: 'en' });
    expect(r.onProgress).toBeUndefined();
    r.end();
    expect(out.written).toEqual([]);
  });

  it('the daemon: a line a minute while a long run goes on, none for a short run', () => {
    let now = Date.parse('2026-03-01T10:00:00Z');
    const clock = () => new Date(now);
    const json = stream();
    const text = stream();
    const reporters = [
      daemonProgressReporter(json, { json: true, language: 'en', clock }),
      daemonProgressReporter(text, { json: false, language: 'en', clock }),
    ];
    const feed = (p: SyncProgress, afterMs: number) => {
      now += afterMs;
      for (const report of reporters) report(p);
    };
    // A short run: reading, users, done within seconds.
    feed(progress({ runId: 1, usersDone: 0 }), 0);
    feed(progress({ runId: 1, usersDone: 4 }), 2_000);
    feed(progress({ runId: 1, phase: 'done' }), DAEMON_PROGRESS_EVERY_MS);
    expect(json.written).toEqual([]);
    // A first sync: an event every half second for three minutes and a bit.
    for (let t = 0; t <= 3 * DAEMON_PROGRESS_EVERY_MS + 1_000; t += 500)
      feed(progress({ runId: 2, usersDone: t / 500 }), 500);
    const lines = json.written.map((l) => JSON.parse(l) as SyncProgress & { time: string });
    expect(lines.map((l) => [l.time, l.usersDone])).toEqual([
      ['2026-03-01T10:02:02.500Z', 120],
      ['2026-03-01T10:03:02.500Z', 240],
      ['2026-03-01T10:04:02.500Z', 360],
    ]);
    expect(text.written[0]).toBe(
      '2026-03-01T10:02:02.500Z progress: 120 of 1,000 users · → Google 340, → Severa 12 · 4.2 items/s · about 12 min left\n',
    );
  });
});
