import { useEffect, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import {
  Button,
  Card,
  Checkbox,
  Grid,
  Group,
  Progress,
  ScrollArea,
  Stack,
  Text,
  Title,
  UnstyledButton,
} from '@mantine/core';
import {
  IconCircle,
  IconCircleCheck,
  IconCircleCheckFilled,
  IconFlag,
  IconInfoCircle,
  IconShieldCheck,
} from '@tabler/icons-react';
import type { ChecklistStepDto } from '../../../preload/api';
import { api } from '../api';
import { ExternalLinkButton } from '../components/links';
import { useI18n } from '../i18n';
import { BEFORE, FINISH, useApp } from '../state';
import { ActivityTypesPanel } from './wizard/ActivityTypesPanel';
import { BeforeYouStart } from './wizard/BeforeYouStart';
import { DelegationDelayNote, DelegationPanel } from './wizard/DelegationPanel';
import { ClientIdPanel, ServiceAccountPanel } from './wizard/GoogleAccountPanel';
import { FinishPanel } from './wizard/FinishPanel';
import { KeyImportPanel } from './wizard/KeyImportPanel';
import { SchedulePanel } from './wizard/SchedulePanel';
import { SeveraCredentialsPanel } from './wizard/SeveraCredentialsPanel';
import { TestStepPanel } from './wizard/TestStepPanel';
import { UsersPanel } from './wizard/UsersPanel';
import { CopyField } from '../components/CopyField';
import { FocusedHeading, StepDoneContext, useProofText } from './wizard/flow';

/** Steps whose form sits under the explanation; the others are done outside and ticked by hand. */
const PANELS: Record<string, () => ReactNode> = {
  'gcp.service-account': () => <ServiceAccountPanel />,
  'gcp.p12-key': () => <KeyImportPanel />,
  'gcp.domain-wide-delegation': () => <ClientIdCopy />,
  'gcp.client-id': () => <ClientIdPanel />,
  'admin.dwd-authorize': () => <DelegationPanel />,
  'severa.api-credentials': () => <SeveraCredentialsPanel />,
  'severa.activity-types': () => <ActivityTypesPanel />,
  'app.users': () => <UsersPanel />,
  'app.schedule': () => <SchedulePanel />,
  'severa.test-and-save': () => <TestStepPanel />,
};
/** Done outside this app: a tick by hand, which the Test then verifies. */
const TICKED_BY_HAND = new Set([
  'gcp.project',
  'gcp.enable-calendar-api',
  'gcp.domain-wide-delegation',
  'admin.dwd-authorize',
]);

function ClientIdCopy() {
  const { state } = useApp();
  const { t } = useI18n();
  return state.google.clientId ? (
    <CopyField label={t('google.clientId')} value={state.google.clientId} />
  ) : (
    <DelegationDelayNote />
  );
}

function StepDetail({ step, index }: { step: ChecklistStepDto; index: number }) {
  const { steps, setChecklist, goToStep } = useApp();
  const { t, pick } = useI18n();
  const proofText = useProofText();
  const previous = index > 0 ? steps[index - 1]!.id : BEFORE;
  const next = steps[index + 1]?.id ?? FINISH;
  const panel = PANELS[step.id]?.();
  return (
    <StepDoneContext.Provider value={() => goToStep(next)}>
      <Card withBorder padding="lg" data-testid="step-detail" data-step={step.id}>
        <Stack gap="md">
          <Group justify="space-between" align="flex-start" wrap="nowrap">
            <Stack gap={2}>
              <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
                {t(`stages.${step.stage}`)} ·{' '}
                {t('wizard.stepOf', { index: index + 1, total: steps.length })}
              </Text>
              <FocusedHeading>{pick(step.title)}</FocusedHeading>
            </Stack>
            {step.provedBy && (
              <Group gap={4} wrap="nowrap" maw="45%" data-testid="step-verified">
                <IconShieldCheck size={16} color="var(--mantine-color-teal-9)" aria-hidden />
                <Text size="sm" c="teal.9" fw={500}>
                  {t('wizard.verified', { proof: proofText(step.provedBy) })}
                </Text>
              </Group>
            )}
          </Group>
          <Text style={{ whiteSpace: 'pre-line' }}>{t(`steps.${step.id}`)}</Text>
          {step.link && step.id !== 'admin.dwd-authorize' && (
            <ExternalLinkButton href={step.link} label={t('wizard.openLink')} w="fit-content" />
          )}
          {panel}
          {TICKED_BY_HAND.has(step.id) && (
            <Checkbox
              label={t('wizard.markDone')}
              description={t('wizard.markDoneHint')}
              checked={step.done}
              onChange={async (e) =>
                setChecklist(await api().setChecklistStep(step.id, e.currentTarget.checked))
              }
            />
          )}
          <Group justify="space-between">
            <Button variant="default" onClick={() => goToStep(previous)}>
              {t('wizard.previous')}
            </Button>
            <Button variant="default" onClick={() => goToStep(next)} data-testid="next-step">
              {t('wizard.next')}
            </Button>
          </Group>
        </Stack>
      </Card>
    </StepDoneContext.Provider>
  );
}

interface ListItem {
  id: string;
  label: string;
  stage: string;
  done: boolean;
  verified: boolean;
}

/**
 * The step list: one tab stop (the current item); arrow keys, Home and End move within it,
 * Enter or Space opens the step (WAI-ARIA's roving tabindex).
 */
function StepList({ items, selected }: { items: ListItem[]; selected: string }) {
  const { goToStep } = useApp();
  const { t } = useI18n();
  // The item that has the tab stop: the selected one, unless arrows moved on from it.
  const [moved, setMoved] = useState<{ from: string; to: string } | null>(null);
  const focused = moved?.from === selected ? moved.to : selected;
  const setFocused = (id: string) => setMoved({ from: selected, to: id });
  const refs = useRef(new Map<string, HTMLButtonElement>());
  useEffect(() => {
    refs.current.get(selected)?.scrollIntoView({ block: 'nearest' });
  }, [selected]);

  const move = (e: KeyboardEvent) => {
    const at = items.findIndex((i) => i.id === focused);
    const target =
      e.key === 'ArrowDown'
        ? Math.min(items.length - 1, at + 1)
        : e.key === 'ArrowUp'
          ? Math.max(0, at - 1)
          : e.key === 'Home'
            ? 0
            : e.key === 'End'
              ? items.length - 1
              : null;
    if (target === null) return;
    e.preventDefault();
    const id = items[target]!.id;
    setFocused(id);
    refs.current.get(id)?.focus();
  };

  return (
    <nav aria-label={t('wizard.stepList')} onKeyDown={move}>
      {items.map((item, i) => {
        const heading = items[i - 1]?.stage !== item.stage ? t(`stages.${item.stage}`) : null;
        const Icon =
          item.id === BEFORE
            ? IconInfoCircle
            : item.id === FINISH
              ? IconFlag
              : item.verified
                ? IconCircleCheckFilled
                : item.done
                  ? IconCircleCheck
                  : IconCircle;
        const state = item.verified
          ? t('wizard.verifiedIcon')
          : item.done
            ? t('wizard.done')
            : t('wizard.notDone');
        return (
          <div key={item.id}>
            {heading && item.id !== BEFORE && item.id !== FINISH && (
              <Text size="xs" fw={700} c="dimmed" tt="uppercase" px="sm" pt="sm" pb={4} aria-hidden>
                {heading}
              </Text>
            )}
            <UnstyledButton
              ref={(el: HTMLButtonElement | null) => {
                if (el) refs.current.set(item.id, el);
                else refs.current.delete(item.id);
              }}
              tabIndex={item.id === focused ? 0 : -1}
              onClick={() => goToStep(item.id)}
              onFocus={() => setFocused(item.id)}
              aria-current={item.id === selected ? 'step' : undefined}
              data-checklist-step={item.id}
              data-done={item.done}
              data-verified={item.verified}
              px="sm"
              py={6}
              w="100%"
              style={{
                display: 'flex',
                gap: 8,
                alignItems: 'center',
                background: item.id === selected ? 'var(--mantine-color-teal-0)' : undefined,
                fontWeight: item.id === selected ? 600 : undefined,
              }}
            >
              <Icon
                size={18}
                color={item.done ? 'var(--mantine-color-teal-9)' : 'var(--mantine-color-gray-7)'}
                aria-hidden
              />
              <Text size="sm" component="span">
                {item.label}
                {item.id !== BEFORE && item.id !== FINISH && (
                  <span className="visually-hidden">{`, ${state}`}</span>
                )}
              </Text>
            </UnstyledButton>
          </div>
        );
      })}
    </nav>
  );
}

/** The set-up: the notes first, this app's steps in order (each verified), then the finish. */
export function Wizard() {
  const { steps, selectedStep, setView } = useApp();
  const { t, pick } = useI18n();
  const index = steps.findIndex((s) => s.id === selectedStep);
  const step = index >= 0 ? steps[index] : undefined;
  const done = steps.filter((s) => s.done).length;
  const items: ListItem[] = [
    { id: BEFORE, label: t('stages.before'), stage: 'before', done: false, verified: false },
    ...steps.map((s) => ({
      id: s.id,
      label: pick(s.title),
      stage: s.stage ?? 'app',
      done: s.done,
      verified: Boolean(s.provedBy),
    })),
    { id: FINISH, label: t('stages.done'), stage: 'done', done: false, verified: false },
  ];

  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-end">
        <Group gap="sm" align="baseline">
          <Title order={2}>{t('wizard.title')}</Title>
          {done === 0 && (
            <Button variant="subtle" size="compact-sm" onClick={() => setView('welcome')}>
              {t('wizard.backToStart')}
            </Button>
          )}
        </Group>
        <Stack gap={4} w={260}>
          <Text size="sm" c="dimmed" ta="right" data-testid="steps-done">
            {t('nav.stepsDone', { done, total: steps.length })}
          </Text>
          <Progress
            value={(100 * done) / Math.max(1, steps.length)}
            aria-label={t('wizard.progress')}
          />
        </Stack>
      </Group>
      <Grid gap="md">
        <Grid.Col span={{ base: 12, md: 4 }}>
          <Card withBorder padding={0}>
            <ScrollArea.Autosize mah="calc(100vh - 200px)">
              <StepList items={items} selected={step?.id ?? selectedStep} />
            </ScrollArea.Autosize>
          </Card>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 8 }}>
          {selectedStep === BEFORE && <BeforeYouStart />}
          {selectedStep === FINISH && <FinishPanel />}
          {step && <StepDetail key={step.id} step={step} index={index} />}
        </Grid.Col>
      </Grid>
    </Stack>
  );
}
