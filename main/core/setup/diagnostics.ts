import type { Localized } from '../localized';
import type { CheckResult, DiagnosticsReport } from './check';

/** A check's verdict; the runner adds id, title and timing. */
export type CheckOutcome = Omit<CheckResult, 'id' | 'title' | 'durationMs'>;

/**
 * One ordered diagnostic (Mattermost's DiagnosticsStep model). `run` gets the shared context
 * and the results so far, so a later check can skip when an earlier one failed.
 */
export interface DiagnosticCheck<Ctx> {
  id: string;
  title: Localized;
  run(ctx: Ctx, previous: readonly CheckResult[]): Promise<CheckOutcome>;
}

/** Runs checks in order, reporting each as it finishes; a thrown error becomes a `fail`. */
export async function runDiagnostics<Ctx>(
  checks: readonly DiagnosticCheck<Ctx>[],
  ctx: Ctx,
  onResult?: (result: CheckResult, index: number, total: number) => void,
): Promise<DiagnosticsReport> {
  const results: CheckResult[] = [];
  for (const check of checks) {
    const started = performance.now();
    let outcome: CheckOutcome;
    try {
      outcome = await check.run(ctx, results);
    } catch (e) {
      const text = e instanceof Error ? e.message : String(e);
      outcome = {
        status: 'fail',
        step: 'support.error-log',
        message: { fi: `Odottamaton virhe: ${text}`, en: `Unexpected error: ${text}` },
        link: null,
      };
    }
    const result: CheckResult = {
      id: check.id,
      title: check.title,
      ...outcome,
      durationMs: Math.round(performance.now() - started),
    };
    results.push(result);
    onResult?.(result, results.length - 1, checks.length);
  }
  return { ok: results.every((r) => r.status !== 'fail'), checks: results };
}

/** Whether an earlier check with this id passed (or warned). */
export const passed = (previous: readonly CheckResult[], id: string): boolean =>
  previous.some((r) => r.id === id && (r.status === 'pass' || r.status === 'warn'));
