import { useSyncExternalStore } from 'react';
import type { CheckResultDto, DiagnosticsReportDto } from '../../preload/api';
import { api } from './api';

/**
 * The Test's progress and last report, kept outside the views so a run goes on (and its result
 * stays) while the admin follows a "fix it here" link into the wizard and back.
 */
export interface DiagnosticsSnapshot {
  running: boolean;
  results: CheckResultDto[];
  total: number | null;
  report: DiagnosticsReportDto | null;
}

let snapshot: DiagnosticsSnapshot = { running: false, results: [], total: null, report: null };
const listeners = new Set<() => void>();

function publish(next: DiagnosticsSnapshot) {
  snapshot = next;
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Runs every diagnostic; results arrive one by one through 'diagnostics-progress'. */
export async function runTest(onFinished?: () => Promise<void>): Promise<void> {
  if (snapshot.running) return;
  publish({ running: true, results: [], total: null, report: null });
  const unsubscribe = api().on('diagnostics-progress', ({ result, index, total }) => {
    const results = [...snapshot.results];
    results[index] = result;
    publish({ ...snapshot, results, total });
  });
  try {
    const report = await api().runDiagnostics();
    publish({ running: false, results: report.checks, total: report.checks.length, report });
  } catch (e) {
    publish({ ...snapshot, running: false });
    throw e;
  } finally {
    unsubscribe();
  }
  await onFinished?.();
}

export const useDiagnostics = () => useSyncExternalStore(subscribe, () => snapshot);
