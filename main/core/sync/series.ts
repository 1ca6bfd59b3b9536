/**
 * Recurring Google series as the engine meets them (design §3 "Recurring"): instances are
 * synced one by one, and their ids say which series and which original start they are
 * (`<series id>_20261125T070000Z`, `<series id>_20261125` all-day), so a link to an instance is
 * known without writing anything onto it. A "this and following" edit ends the series and
 * starts a new one, `<series id>_R<start>`, whose instances take over the old ones'
 * activities in order. Pure.
 */
const ICS = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})Z?)?$/;

function icsInstant(text: string): number | null {
  const m = ICS.exec(text);
  if (!m) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0'] = m;
  return Date.UTC(+y!, +mo! - 1, +d!, +h, +mi, +s);
}

/** The series and original start an instance id names, or null for another id. */
export function instanceOf(id: string): { seriesId: string; startMs: number } | null {
  const split = id.lastIndexOf('_');
  if (split <= 0) return null;
  const startMs = icsInstant(id.slice(split + 1));
  return startMs === null ? null : { seriesId: id.slice(0, split), startMs };
}

/** The series a "this and following" edit split off, and where: `<old>_R<start>`. */
export function splitFrom(seriesId: string): { from: string; atMs: number } | null {
  const m = /^(.+)_R(\d{8}(?:T\d{6})?)Z?$/.exec(seriesId);
  const atMs = m ? icsInstant(m[2] as string) : null;
  return m && atMs !== null ? { from: m[1] as string, atMs } : null;
}

export interface SplitMove<L> {
  link: L;
  /** The instance of the new series that takes over the link. */
  googleId: string;
}

/**
 * Pairs the links to instances a split ended (gone from the old series) with the new series'
 * instances, in order of original start: the n-th ended occurrence is the n-th new one,
 * whatever the edit did to times. Unpaired old links go (their activities are deleted as for
 * any deleted instance); unpaired new instances become new activities.
 */
export function pairSplit<L extends { googleId: string }>(
  ended: L[],
  replacements: { id: string; originalStartMs: number }[],
): SplitMove<L>[] {
  const old = [...ended].sort(
    (a, b) => (instanceOf(a.googleId)?.startMs ?? 0) - (instanceOf(b.googleId)?.startMs ?? 0),
  );
  const fresh = [...replacements].sort((a, b) => a.originalStartMs - b.originalStartMs);
  return old
    .slice(0, fresh.length)
    .map((link, i) => ({ link, googleId: (fresh[i] as { id: string }).id }));
}
