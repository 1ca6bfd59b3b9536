import type { SyncProgressDto } from '../../../preload/api';
import type { Language } from '../localized';
/**
 * How far a run has come, for an admin watching a long first sync (the app's progress bar and
 * tray tooltip, the CLI's progress line and `--json` progress events): users done of all,
 * items written per side, the current rate and an ETA from the measured rate and Severa's limit.
 * Plain data and a small tracker; the engine feeds it, nothing here does I/O. The data is the
 * contract's own (`SyncProgressDto`): the app, the tray and the CLI show it as it is.
 */
export type SyncProgress = SyncProgressDto;

/** What the tracker needs from the run. */
export interface ProgressSource {
  runId: number | null;
  /** Users known so far (Severa's user pages arrive while the first users are synced). */
  usersTotal: () => number;
  /** Severa's requests per second limit (the client's limiter keeps it). */
  severaRequestsPerSecond: number;
  /** Severa requests sent so far, when the client counts them. */
  severaRequests: () => number | null;
  written: () => { toGoogle: number; toSevera: number };
  /** The monotonic clock, ms. */
  clock?: () => number;
}

const RATE_WINDOW_MS = 30_000;
/** Progress events at most this often (the last one always). */
const EMIT_EVERY_MS = 500;

interface Sample {
  at: number;
  items: number;
  severa: number | null;
}

/**
 * ETA = the longer of two estimates for the users left: at the rate users have been done so
 * far, and at Severa's limit for the Severa requests a user has needed so far. A first sync of
 * a large company is bound by the second (Severa allows about 10 requests a second).
 */
export function estimateSeconds(p: {
  usersDone: number;
  usersTotal: number;
  elapsedSeconds: number;
  severaRequests: number | null;
  severaRequestsPerSecond: number;
}): number | null {
  const left = p.usersTotal - p.usersDone;
  if (p.usersDone === 0 || left <= 0) return null;
  const atMeasuredRate = (p.elapsedSeconds / p.usersDone) * left;
  const atSeveraLimit =
    p.severaRequests === null
      ? 0
      : ((p.severaRequests / p.usersDone) * left) / p.severaRequestsPerSecond;
  return Math.max(atMeasuredRate, atSeveraLimit);
}

export class ProgressTracker {
  private readonly clock: () => number;
  private readonly started: number;
  private readonly severaAtStart: number | null;
  private readonly samples: Sample[] = [];
  private usersDone = 0;
  private phase: SyncProgress['phase'] = 'reading';
  private lastEmit = -Infinity;
  private resumedFrom: SyncProgress['resumed'] = null;

  constructor(
    private readonly source: ProgressSource,
    private readonly emit: (p: SyncProgress) => void,
  ) {
    this.clock = source.clock ?? (() => performance.now());
    this.started = this.clock();
    this.severaAtStart = source.severaRequests();
  }

  /** The users' part has begun (Severa's company-wide reading may still be going). */
  usersStarted(): void {
    this.phase = 'users';
    this.report(true);
  }

  /** The run before stopped midway; this one goes on from where it was. */
  resumed(from: NonNullable<SyncProgress['resumed']>): void {
    this.resumedFrom = from;
    this.report(true);
  }

  userDone(): void {
    this.usersDone++;
    this.report(false);
  }

  /** An item was written: reported at most every half second. */
  wrote(): void {
    this.report(false);
  }

  finished(): void {
    this.phase = 'done';
    this.report(true);
  }

  snapshot(): SyncProgress {
    const now = this.clock();
    const written = this.source.written();
    const severaNow = this.source.severaRequests();
    const severa =
      severaNow === null || this.severaAtStart === null ? null : severaNow - this.severaAtStart;
    this.samples.push({ at: now, items: written.toGoogle + written.toSevera, severa });
    while (this.samples.length > 1 && (this.samples[0] as Sample).at < now - RATE_WINDOW_MS)
      this.samples.shift();
    const first = this.samples[0] as Sample;
    const span = (now - first.at) / 1000;
    const perSecond = (a: number | null, b: number | null) =>
      a === null || b === null || span <= 0 ? null : Math.max(0, (a - b) / span);
    const elapsedSeconds = (now - this.started) / 1000;
    return {
      runId: this.source.runId,
      phase: this.phase,
      usersDone: this.usersDone,
      usersTotal: this.source.usersTotal(),
      written,
      itemsPerSecond: perSecond(written.toGoogle + written.toSevera, first.items) ?? 0,
      severaRequestsPerSecond: perSecond(severa, first.severa),
      elapsedSeconds,
      etaSeconds:
        this.phase === 'done'
          ? null
          : estimateSeconds({
              usersDone: this.usersDone,
              usersTotal: this.source.usersTotal(),
              elapsedSeconds,
              severaRequests: severa,
              severaRequestsPerSecond: this.source.severaRequestsPerSecond,
            }),
      resumed: this.resumedFrom,
    };
  }

  private report(always: boolean): void {
    const now = this.clock();
    if (!always && now - this.lastEmit < EMIT_EVERY_MS) return;
    this.lastEmit = now;
    this.emit(this.snapshot());
  }
}

/** A duration as an admin reads it: seconds, minutes, or hours and minutes. */
export function durationText(seconds: number, language: Language): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const minutes = Math.round(s / 60);
  if (minutes < 60) return `${minutes} min`;
  const h = Math.floor(minutes / 60);
  return `${h} ${language === 'fi' ? 't' : 'h'} ${minutes % 60} min`;
}

/**
 * One line for the CLI's progress and the tray's tooltip, e.g. "120 of 1 000 users · → Google
 * 340, → Severa 120 · 4.2 items/s · about 12 min left".
 */
export function progressText(p: SyncProgress, language: Language): string {
  const fi = language === 'fi';
  const number = new Intl.NumberFormat(fi ? 'fi-FI' : 'en-GB', { maximumFractionDigits: 1 });
  const n = (x: number) => number.format(x);
  const parts = [
    // Until Severa's first user page has arrived there are no users to count.
    p.phase === 'reading' || (p.phase === 'users' && p.usersTotal === 0)
      ? fi
        ? 'luetaan Severaa'
        : 'reading Severa'
      : fi
        ? `${n(p.usersDone)}/${n(p.usersTotal)} käyttäjää`
        : `${n(p.usersDone)} of ${n(p.usersTotal)} users`,
    `→ Google ${n(p.written.toGoogle)}, → Severa ${n(p.written.toSevera)}`,
    fi ? `${n(p.itemsPerSecond)} merkintää/s` : `${n(p.itemsPerSecond)} items/s`,
  ];
  if (p.etaSeconds !== null)
    parts.push(
      fi
        ? `noin ${durationText(p.etaSeconds, language)} jäljellä`
        : `about ${durationText(p.etaSeconds, language)} left`,
    );
  const line = parts.join(' · ');
  if (!p.resumed) return line;
  return fi
    ? `${line} (jatkaa keskeytynyttä ajoa: ${n(p.resumed.usersDone)} käyttäjää oli valmiina)`
    : `${line} (goes on from a stopped run: ${n(p.resumed.usersDone)} users were done)`;
}
