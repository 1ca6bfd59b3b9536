import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Scheduler, type SchedulerStatus } from '../../main/core/service/scheduler';

const MINUTE = 60_000;

/** A run the test finishes by hand, so overlapping presses of "Sync now" can be staged. */
function controllableRuns() {
  const pending: { resolve: (r: { ok: boolean }) => void; reject: (e: Error) => void }[] = [];
  let started = 0;
  let concurrent = 0;
  let maxConcurrent = 0;
  const run = () =>
    new Promise<{ ok: boolean }>((resolve, reject) => {
      started++;
      concurrent++;
      maxConcurrent = Math.max(maxConcurrent, concurrent);
      const done = () => concurrent--;
      pending.push({
        resolve: (r) => (done(), resolve(r)),
        reject: (e) => (done(), reject(e)),
      });
    });
  return {
    run,
    finish: (ok = true) => pending.shift()?.resolve({ ok }),
    fail: (message: string) => pending.shift()?.reject(new Error(message)),
    get started() {
      return started;
    },
    get maxConcurrent() {
      return maxConcurrent;
    },
  };
}

describe('Scheduler', { timeout: 5_000 }, () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-03-01T08:00:00Z'));
  });
  afterEach(() => vi.useRealTimers());

  it('runs on the configured interval and reports the next run time', async () => {
    const runs = controllableRuns();
    const s = new Scheduler({ run: runs.run, intervalMinutes: () => 15 });
    s.start();
    expect(s.status().nextRunAt?.toISOString()).toBe('2026-03-01T08:15:00.000Z');
    await vi.advanceTimersByTimeAsync(15 * MINUTE - 1);
    expect(runs.started).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(runs.started).toBe(1);
    expect(s.status()).toMatchObject({ state: 'syncing', running: true, nextRunAt: null });
    runs.finish();
    await vi.advanceTimersByTimeAsync(0);
    expect(s.status()).toMatchObject({ state: 'idle', running: false });
    expect(s.status().nextRunAt?.toISOString()).toBe('2026-03-01T08:30:00.000Z');
    await vi.advanceTimersByTimeAsync(15 * MINUTE);
    expect(runs.started).toBe(2);
    s.stop();
  });

  it('queues Sync now during a run and never runs two at once; presses share the queued run', async () => {
    const runs = controllableRuns();
    const s = new Scheduler({ run: runs.run, intervalMinutes: () => 15 });
    s.start();
    const first = s.runNow();
    const second = s.runNow();
    const third = s.runNow();
    expect(second).toBe(third);
    expect(runs.started).toBe(1);
    runs.finish();
    await expect(first).resolves.toEqual({ ok: true });
    await vi.advanceTimersByTimeAsync(0);
    expect(runs.started).toBe(2);
    runs.finish();
    await expect(second).resolves.toEqual({ ok: true });
    expect(runs.maxConcurrent).toBe(1);
    await s.idle();
    expect(runs.started).toBe(2);
    s.stop();
  });

  it('backs off exponentially after failed runs (up to the maximum) and resets after a success', async () => {
    const runs = controllableRuns();
    const s = new Scheduler({ run: runs.run, intervalMinutes: () => 10, maxBackoffMinutes: 60 });
    s.start();
    const waits: number[] = [];
    for (let i = 0; i < 4; i++) {
      const before = Date.now();
      const next = s.status().nextRunAt!.getTime();
      waits.push((next - before) / MINUTE);
      await vi.advanceTimersByTimeAsync(next - before);
      if (i === 1) runs.fail('network down');
      else runs.finish(false);
      await vi.advanceTimersByTimeAsync(0);
      expect(s.status().state).toBe('error');
    }
    expect(waits).toEqual([10, 20, 40, 60]);
    expect(s.status().consecutiveFailures).toBe(4);
    expect((s.status().nextRunAt!.getTime() - Date.now()) / MINUTE).toBe(60);
    const manual = s.runNow();
    runs.finish(true);
    await manual;
    expect(s.status()).toMatchObject({ state: 'idle', consecutiveFailures: 0 });
    expect((s.status().nextRunAt!.getTime() - Date.now()) / MINUTE).toBe(10);
    s.stop();
  });

  it('a thrown run rejects the caller of runNow and counts as a failure', async () => {
    const s = new Scheduler({
      run: () => Promise.reject(new Error('boom')),
      intervalMinutes: () => 5,
    });
    s.start();
    await expect(s.runNow()).rejects.toThrow('boom');
    expect(s.status()).toMatchObject({ state: 'error', consecutiveFailures: 1 });
    expect((s.status().nextRunAt!.getTime() - Date.now()) / MINUTE).toBe(10);
    s.stop();
  });

  it('pause stops timed runs (manual runs still work); resume schedules again; status is emitted', async () => {
    const runs = controllableRuns();
    const statuses: SchedulerStatus[] = [];
    const s = new Scheduler({
      run: runs.run,
      intervalMinutes: () => 1,
      onStatus: (st) => statuses.push(st),
    });
    s.start();
    s.pause();
    expect(s.status()).toMatchObject({ state: 'paused', nextRunAt: null });
    await vi.advanceTimersByTimeAsync(10 * MINUTE);
    expect(runs.started).toBe(0);
    const manual = s.runNow();
    expect(s.status().state).toBe('syncing');
    runs.finish();
    await manual;
    expect(s.status()).toMatchObject({ state: 'paused', nextRunAt: null });
    s.resume();
    expect(s.status().state).toBe('idle');
    await vi.advanceTimersByTimeAsync(MINUTE);
    expect(runs.started).toBe(2);
    runs.finish();
    expect(statuses.map((st) => st.state)).toEqual(
      expect.arrayContaining(['paused', 'syncing', 'idle']),
    );
    s.stop();
  });

  it('start and resume keep a pending timer unless the interval changed', async () => {
    const runs = controllableRuns();
    let interval = 15;
    const s = new Scheduler({ run: runs.run, intervalMinutes: () => interval });
    s.start();
    await vi.advanceTimersByTimeAsync(10 * MINUTE);
    s.start();
    s.resume();
    expect(s.status().nextRunAt?.toISOString()).toBe('2026-03-01T08:15:00.000Z');
    interval = 30;
    s.resume();
    expect(s.status().nextRunAt?.toISOString()).toBe('2026-03-01T08:40:00.000Z');
    s.stop();
  });

  it('a changed interval applies from the next scheduling on', async () => {
    const runs = controllableRuns();
    let interval = 15;
    const s = new Scheduler({ run: runs.run, intervalMinutes: () => interval });
    s.start();
    interval = 5;
    await vi.advanceTimersByTimeAsync(15 * MINUTE);
    runs.finish();
    await vi.advanceTimersByTimeAsync(0);
    expect((s.status().nextRunAt!.getTime() - Date.now()) / MINUTE).toBe(5);
    s.stop();
    expect(s.status().nextRunAt).toBeNull();
  });
});
