import type { Localized } from '../localized';
import type { StepId } from './steps';

export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

/** One diagnostic's outcome: what it found, which step fixes it and where that step is done. */
export interface CheckResult {
  /** Stable id, e.g. `google.token`, `severa.scopes`. */
  id: string;
  title: Localized;
  status: CheckStatus;
  step: StepId | null;
  message: Localized;
  link: string | null;
  /** Extra structured facts (per-user match results, the missing scope…); never secrets. */
  details?: unknown;
  durationMs: number;
}

export interface DiagnosticsReport {
  ok: boolean;
  checks: CheckResult[];
}
