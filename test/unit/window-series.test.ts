import { describe, expect, test } from 'vitest';
import { instanceOf, pairSplit, splitFrom } from '../../main/core/sync/series';
import { storedRange, uncoveredSlices } from '../../main/core/sync/window';

const DAY = 86_400_000;

describe('the window that moves: slices not reconciled yet', () => {
  test('a day later, the new day at the far edge; widened, the whole new range on both edges', () => {
    const covered = { start: 0, end: 100 * DAY };
    expect(uncoveredSlices(covered, { start: DAY, end: 101 * DAY })).toEqual([
      { start: 100 * DAY, end: 101 * DAY },
    ]);
    expect(uncoveredSlices(covered, { start: -10 * DAY, end: 200 * DAY })).toEqual([
      { start: -10 * DAY, end: 0 },
      { start: 100 * DAY, end: 200 * DAY },
    ]);
    expect(uncoveredSlices(covered, covered)).toEqual([]);
    // Nothing known (a state from before), or a window far from it: all of it.
    expect(uncoveredSlices(null, covered)).toEqual([covered]);
    expect(uncoveredSlices(covered, { start: 300 * DAY, end: 400 * DAY })).toEqual([
      { start: 300 * DAY, end: 400 * DAY },
    ]);
  });

  test('stored ranges read back from ISO text, or null when an edge is missing', () => {
    expect(storedRange('1970-01-01T00:00:00.000Z', '1970-01-02T00:00:00.000Z')).toEqual({
      start: 0,
      end: DAY,
    });
    expect(storedRange(null, '1970-01-02T00:00:00.000Z')).toBeNull();
  });
});

describe('series: instance ids and "this and following"', () => {
  test('an instance id names its series and original start, timed (UTC) or all-day', () => {
    expect(instanceOf('abc123_20261125T070000Z')).toEqual({
      seriesId: 'abc123',
      startMs: Date.parse('2026-11-25T07:00:00Z'),
    });
    expect(instanceOf('abc123_20261125')).toEqual({
      seriesId: 'abc123',
      startMs: Date.parse('2026-11-25T00:00:00Z'),
    });
    expect(instanceOf('abc123_R20261201T070000_20261208T070000Z')?.seriesId).toBe(
      'abc123_R20261201T070000',
    );
    expect(instanceOf('plainid')).toBeNull();
    expect(splitFrom('abc123_R20261201T070000')).toEqual({
      from: 'abc123',
      atMs: Date.parse('2026-12-01T07:00:00Z'),
    });
    expect(splitFrom('abc123')).toBeNull();
  });

  test('ended instances pair with the new series in order; extra ones on either side stay unpaired', () => {
    const ended = ['s_20261215T070000Z', 's_20261201T070000Z', 's_20261208T070000Z'].map(
      (googleId) => ({ googleId }),
    );
    const fresh = [
      { id: 'n_2', originalStartMs: 2 },
      { id: 'n_1', originalStartMs: 1 },
    ];
    expect(pairSplit(ended, fresh)).toEqual([
      { link: { googleId: 's_20261201T070000Z' }, googleId: 'n_1' },
      { link: { googleId: 's_20261208T070000Z' }, googleId: 'n_2' },
    ]);
    expect(pairSplit([], fresh)).toEqual([]);
  });
});
