import { useEffect, type ReactNode } from 'react';
import {
  Badge,
  Button,
  Card,
  Checkbox,
  Grid,
  Group,
  NavLink,
  Progress,
  ScrollArea,
  Stack,
  Text,
  Title,
} from '@mantine/core';
import { IconCircle, IconCircleCheckFilled, IconShieldCheck } from '@tabler/icons-react';
import type { ChecklistStepDto } from '../../../preload/api';
import { api } from '../api';
import { ExternalLinkButton } from '../components/links';
import { runTest } from '../diagnostics';
import { useI18n } from '../i18n';
import { useApp } from '../state';
import { ActivityTypesPanel } from './wizard/ActivityTypesPanel';
import { DelegationDelayNote, DelegationPanel } from './wizard/DelegationPanel';
import { GoogleAccountPanel } from './wizard/GoogleAccountPanel';
import { KeyImportPanel } from './wizard/KeyImportPanel';
import { SchedulePanel } from './wizard/SchedulePanel';
import { SeveraCredentialsPanel } from './wizard/SeveraCredentialsPanel';
import { UsersPanel } from './wizard/UsersPanel';

const SECTIONS: ChecklistStepDto['section'][] = [
  'pre',
  'gcp',
  'admin',
  'severa',
  'user',
  'support',
  'app',
];

/** The steps that are done inside this app: their form sits right under the explanation. */
function StepPanel({ stepId }: { stepId: string }) {
  const { setView, reloadChecklist } = useApp();
  const { t } = useI18n();
  const panels: Record<string, () => ReactNode> = {
    'gcp.p12-key': () => <KeyImportPanel />,
    'gcp.domain-wide-delegation': () => <DelegationDelayNote />,
    'gcp.client-id': () => <GoogleAccountPanel />,
    'admin.dwd-authorize': () => <DelegationPanel />,
    'severa.google-settings': () => <KeyImportPanel />,
    'severa.activity-types': () => <ActivityTypesPanel />,
    'severa.test-and-save': () => (
      <Button
        w="fit-content"
        onClick={() => {
          setView('test');
          void runTest(reloadChecklist);
        }}
      >
        {t('test.run')}
      </Button>
    ),
    'severa.api-credentials': () => <SeveraCredentialsPanel />,
    'pre.enable-for-all': () => <UsersPanel />,
    'app.users': () => <UsersPanel />,
    'app.schedule': () => <SchedulePanel />,
    'pre.account-change': () => (
      <Button variant="light" w="fit-content" onClick={() => setView('settings')}>
        {t('wizard.toReset')}
      </Button>
    ),
    'support.error-log': () => (
      <Button variant="light" w="fit-content" onClick={() => setView('dashboard')}>
        {t('wizard.toLog')}
      </Button>
    ),
  };
  return panels[stepId]?.() ?? null;
}

function StepDetail({
  step,
  index,
  total,
}: {
  step: ChecklistStepDto;
  index: number;
  total: number;
}) {
  const { checklist, setChecklist, goToStep } = useApp();
  const { t, pick } = useI18n();
  const previous = checklist[index - 1];
  const next = checklist[index + 1];
  return (
    <Card withBorder padding="lg" data-testid="step-detail" data-step={step.id}>
      <Stack gap="md">
        <Group justify="space-between" align="flex-start" wrap="nowrap">
          <Stack gap={2}>
            <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
              {t(`sections.${step.section}`)} · {t('wizard.stepOf', { index: index + 1, total })}
            </Text>
            <Title order={2} size="h3">
              {pick(step.title)}
            </Title>
          </Stack>
          {step.provedBy && (
            <Badge
              color="teal"
              variant="light"
              leftSection={<IconShieldCheck size={12} aria-hidden />}
            >
              {t('wizard.provedBy', { check: step.provedBy })}
            </Badge>
          )}
        </Group>
        <Text style={{ whiteSpace: 'pre-line' }}>{t(`steps.${step.id}`)}</Text>
        {step.link && step.id !== 'admin.dwd-authorize' && (
          <ExternalLinkButton href={step.link} label={t('wizard.openLink')} w="fit-content" />
        )}
        <StepPanel stepId={step.id} />
        <Checkbox
          label={t('wizard.markDone')}
          checked={step.done}
          onChange={async (e) =>
            setChecklist(await api().setChecklistStep(step.id, e.currentTarget.checked))
          }
        />
        <Group justify="space-between">
          <Button
            variant="default"
            disabled={!previous}
            onClick={() => previous && goToStep(previous.id)}
          >
            {t('wizard.previous')}
          </Button>
          <Button variant="default" disabled={!next} onClick={() => next && goToStep(next.id)}>
            {t('wizard.next')}
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}

/** The set-up checklist: every documented step in order, each explained, linked and ticked. */
export function Wizard() {
  const { checklist, selectedStep, goToStep } = useApp();
  const { t, pick } = useI18n();
  const index = Math.max(
    0,
    checklist.findIndex((s) => s.id === selectedStep),
  );
  const step = checklist[index];
  const done = checklist.filter((s) => s.done).length;

  // A "fix it" link may land on a step scrolled out of the checklist: bring it into view.
  useEffect(() => {
    document
      .querySelector('[data-checklist-step][aria-current="step"]')
      ?.scrollIntoView({ block: 'nearest' });
  }, [step?.id]);

  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-end">
        <Title order={2}>{t('wizard.title')}</Title>
        <Stack gap={4} w={260}>
          <Text size="sm" c="dimmed" ta="right">
            {t('nav.stepsDone', { done, total: checklist.length })}
          </Text>
          <Progress
            value={(100 * done) / Math.max(1, checklist.length)}
            aria-label={t('wizard.progress')}
          />
        </Stack>
      </Group>
      <Grid gap="md">
        <Grid.Col span={4}>
          <Card withBorder padding={0}>
            <ScrollArea.Autosize mah="calc(100vh - 200px)">
              <nav aria-label={t('wizard.title')}>
                {SECTIONS.map((section) => {
                  const steps = checklist.filter((s) => s.section === section);
                  if (steps.length === 0) return null;
                  return (
                    <div key={section}>
                      <Text size="xs" fw={700} c="dimmed" tt="uppercase" px="sm" pt="sm" pb={4}>
                        {t(`sections.${section}`)}
                      </Text>
                      {steps.map((s) => (
                        <NavLink
                          key={s.id}
                          component="button"
                          active={s.id === step?.id}
                          label={pick(s.title)}
                          onClick={() => goToStep(s.id)}
                          aria-current={s.id === step?.id ? 'step' : undefined}
                          data-checklist-step={s.id}
                          data-done={s.done}
                          leftSection={
                            s.done ? (
                              <IconCircleCheckFilled
                                size={18}
                                color="var(--mantine-color-teal-6)"
                                aria-label={t('wizard.done')}
                              />
                            ) : (
                              <IconCircle
                                size={18}
                                color="var(--mantine-color-gray-5)"
                                aria-label={t('wizard.notDone')}
                              />
                            )
                          }
                        />
                      ))}
                    </div>
                  );
                })}
              </nav>
            </ScrollArea.Autosize>
          </Card>
        </Grid.Col>
        <Grid.Col span={8}>
          {step && <StepDetail key={step.id} step={step} index={index} total={checklist.length} />}
        </Grid.Col>
      </Grid>
    </Stack>
  );
}
