import type { ChecklistStepDto } from '../../../preload/api';
import type { CheckResult } from '../setup/check';
import { STEP_IDS, STEP_TITLES, stepLink, stepSection, type StepId } from '../setup/steps';
import type { Settings } from '../store/settings';

/**
 * Which set-up steps a passing diagnostic proves done. A token for the test user, for example,
 * can only be minted when the key, the delegation and its authorization are all in place.
 */
const PROVES: Record<string, StepId[]> = {
  'google.key': ['gcp.p12-key', 'gcp.client-id'],
  'google.token': [
    'gcp.project',
    'gcp.service-account',
    'gcp.domain-wide-delegation',
    'admin.dwd-authorize',
  ],
  'google.calendar-api': ['gcp.enable-calendar-api'],
  'google.calendar-access': ['pre.workspace-licence'],
  'severa.token': ['severa.api-credentials'],
  'severa.addon': ['pre.severa-addon'],
  'severa.activity-types': ['severa.activity-types'],
  'severa.users': ['pre.same-email'],
};

/** The steps the passing checks of a report prove, each with the id of the check that did. */
export function provenSteps(checks: readonly CheckResult[]): Map<StepId, string> {
  const proven = new Map<StepId, string>();
  for (const check of checks) {
    if (check.status !== 'pass') continue;
    for (const step of PROVES[check.id] ?? []) if (!proven.has(step)) proven.set(step, check.id);
  }
  return proven;
}

/** Every step of the documented set-up, in order, with its done state and its deep link. */
export function buildChecklist(settings: Settings): ChecklistStepDto[] {
  const { checklist, checklistProvedBy } = settings.app;
  const links = {
    clientId: settings.google.clientId,
    projectId: settings.google.projectId,
    domain: settings.google.domain,
  };
  return STEP_IDS.map((id) => ({
    id,
    section: stepSection(id),
    title: STEP_TITLES[id],
    done: checklist[id] ?? false,
    provedBy: checklist[id] ? (checklistProvedBy[id] ?? null) : null,
    link: stepLink(id, links),
  }));
}
