/**
 * The sync window moves every day and grows when the admin widens it. A side whose changes are
 * read incrementally (Google's sync token, Severa's `changedSince`) never shows an item that
 * only came into view, unchanged: the parts of the window not reconciled yet are listed on
 * their own, bounded to them (one small listing a day per user as the window moves; the whole
 * new range at once when it is widened). Pure.
 */
export interface TimeRange {
  start: number;
  end: number;
}

/** The parts of `current` outside `covered` (all of it when nothing is covered yet). */
export function uncoveredSlices(covered: TimeRange | null, current: TimeRange): TimeRange[] {
  if (!covered || covered.end <= current.start || covered.start >= current.end) return [current];
  const slices: TimeRange[] = [];
  if (current.start < covered.start) slices.push({ start: current.start, end: covered.start });
  if (current.end > covered.end) slices.push({ start: covered.end, end: current.end });
  return slices;
}

/** A stored range (ISO strings) as numbers, or null when either edge is missing. */
export function storedRange(start: string | null | undefined, end: string | null | undefined) {
  const s = start ? Date.parse(start) : NaN;
  const e = end ? Date.parse(end) : NaN;
  return Number.isFinite(s) && Number.isFinite(e) ? { start: s, end: e } : null;
}
