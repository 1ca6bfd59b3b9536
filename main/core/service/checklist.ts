import type { ChecklistStepDto } from '../../../preload/api';
import type { CheckResult } from '../setup/check';
import {
  FLOW_STEPS,
  NOTE_IDS,
  STEP_TITLES,
  flowStage,
  isFlowStep,
  stepLink,
  stepSection,
  type StepId,
} from '../setup/steps';
import type { Settings } from '../store/settings';

/**
 * Which set-up steps a passing diagnostic proves done. A token for the test user, for example,
 * can only be minted when the service account, its client id, the delegation and its
 * authorization are all in place. Notes (`pre.*`) are proved too, though they are not counted.
 */
const PROVES: Record<string, StepId[]> = {
  'google.network': ['pre.network'],
  'google.key': ['gcp.p12-key'],
  'google.token': [
    'gcp.project',
    'gcp.service-account',
    'gcp.domain-wide-delegation',
    'gcp.client-id',
    'admin.dwd-authorize',
  ],
  'google.calendar-api': ['gcp.enable-calendar-api'],
  'google.calendar-access': ['pre.workspace-licence'],
  'severa.network': ['pre.network'],
  'severa.scopes': ['severa.api-credentials'],
  'severa.addon': ['pre.severa-addon'],
  'severa.activity-types': ['severa.activity-types'],
  'severa.users': ['app.users', 'pre.same-email'],
};

/** The proof a green Test as a whole gives (it is the flow's last step). */
export const TEST_PROOF = 'test';

export type ChecklistState = Pick<Settings['app'], 'checklist' | 'checklistProvedBy'>;

/** A step ticked, with what verified it. */
export function tick(
  state: ChecklistState,
  steps: Iterable<StepId>,
  proof: string,
): ChecklistState {
  const checklist = { ...state.checklist };
  const checklistProvedBy = { ...state.checklistProvedBy };
  for (const step of steps) {
    checklist[step] = true;
    checklistProvedBy[step] = proof;
  }
  return { checklist, checklistProvedBy };
}

function untick(state: ChecklistState, steps: Iterable<StepId>): ChecklistState {
  const checklist = { ...state.checklist };
  const checklistProvedBy = { ...state.checklistProvedBy };
  for (const step of steps) {
    checklist[step] = false;
    delete checklistProvedBy[step];
  }
  return { checklist, checklistProvedBy };
}

const flowIndex = (step: StepId) => (FLOW_STEPS as readonly StepId[]).indexOf(step);

/**
 * A failed check contradicts the step it names and the steps it proves from that one on in the
 * flow (a refused delegation says nothing against the project made before it).
 */
function contradicted(check: CheckResult): StepId[] {
  const proves = PROVES[check.id] ?? [];
  const failedAt = check.step ? flowIndex(check.step) : -1;
  const after = failedAt < 0 ? proves : proves.filter((s) => flowIndex(s) >= failedAt);
  return check.step ? [check.step, ...after] : after;
}

/**
 * The checklist after a Test: a passing check ticks what it proves (a warning all but the step
 * it warns about), a failing one unticks what it contradicts, a green Test ticks the Test step.
 */
export function afterReport(
  state: ChecklistState,
  checks: readonly CheckResult[],
  ok: boolean,
): ChecklistState {
  let next = state;
  for (const check of checks) {
    const proves = PROVES[check.id] ?? [];
    if (check.status === 'pass') next = tick(next, proves, check.id);
    if (check.status === 'warn')
      next = tick(
        next,
        proves.filter((s) => s !== check.step),
        check.id,
      );
    if (check.status === 'warn' && check.step) next = untick(next, [check.step]);
  }
  // Failures last, so a step one check proves and another contradicts ends up unticked.
  for (const check of checks) if (check.status === 'fail') next = untick(next, contradicted(check));
  return ok
    ? tick(next, ['severa.test-and-save'], TEST_PROOF)
    : untick(next, ['severa.test-and-save']);
}

/** The steps a saved settings patch verifies by its form alone (the rules were met to save it). */
export function verifiedBySave(
  patch: { google?: object; users?: object; sync?: object; app?: object },
  settings: Settings,
): StepId[] {
  const steps: StepId[] = [];
  const { google } = settings;
  if (patch.google && 'serviceAccountEmail' in patch.google && google.serviceAccountEmail)
    steps.push('gcp.service-account');
  if (patch.google && google.clientId && google.domain && google.testUser)
    steps.push('gcp.client-id');
  if (patch.users && (settings.users.mode === 'all' || settings.users.enabled.length > 0))
    steps.push('app.users');
  const scheduling =
    (patch.sync && 'intervalMinutes' in patch.sync) || (patch.app && 'startAtLogin' in patch.app);
  if (scheduling) steps.push('app.schedule');
  return steps;
}

const dto = (settings: Settings, id: StepId): ChecklistStepDto => {
  const { checklist, checklistProvedBy } = settings.app;
  const links = {
    clientId: settings.google.clientId,
    projectId: settings.google.projectId,
    domain: settings.google.domain,
  };
  const step = isFlowStep(id);
  return {
    id,
    section: stepSection(id),
    kind: step ? 'step' : 'note',
    stage: step ? flowStage(id) : null,
    title: STEP_TITLES[id],
    done: checklist[id] ?? false,
    provedBy: checklist[id] ? (checklistProvedBy[id] ?? null) : null,
    link: stepLink(id, links),
  };
};

/** The flow's steps in this app's order, then the notes, each with its state and deep link. */
export const buildChecklist = (settings: Settings): ChecklistStepDto[] => [
  ...FLOW_STEPS.map((id) => dto(settings, id)),
  ...NOTE_IDS.map((id) => dto(settings, id)),
];
