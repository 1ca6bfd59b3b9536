import {
  Alert,
  Badge,
  Button,
  Card,
  Group,
  Progress,
  Stack,
  Text,
  ThemeIcon,
  Title,
} from '@mantine/core';
import {
  IconAlertTriangle,
  IconCircleCheck,
  IconCircleDashed,
  IconCircleX,
  IconFlask,
  IconPlayerSkipForward,
} from '@tabler/icons-react';
import type { CheckResultDto, CheckStatus } from '../../../preload/api';
import { ExternalLinkButton, StepLinkButton } from '../components/links';
import { runTest, useDiagnostics } from '../diagnostics';
import { useI18n } from '../i18n';
import { useApp } from '../state';
import { DelegationDelayNote } from './wizard/DelegationPanel';

const STATUS_LOOK: Record<CheckStatus, { color: string; icon: typeof IconCircleCheck }> = {
  pass: { color: 'teal', icon: IconCircleCheck },
  warn: { color: 'yellow', icon: IconAlertTriangle },
  fail: { color: 'red', icon: IconCircleX },
  skip: { color: 'gray', icon: IconPlayerSkipForward },
};

export function CheckRow({ result }: { result: CheckResultDto }) {
  const { t, pick } = useI18n();
  const { color, icon: Icon } = STATUS_LOOK[result.status];
  const needsAction = result.status === 'fail' || result.status === 'warn';
  return (
    <Card withBorder padding="sm" data-check={result.id} data-status={result.status}>
      <Group align="flex-start" wrap="nowrap" gap="sm">
        <ThemeIcon color={color} variant="light" size={32} radius="xl" aria-hidden>
          <Icon size={20} />
        </ThemeIcon>
        <Stack gap={4} style={{ flex: 1 }}>
          <Group justify="space-between" wrap="nowrap">
            <Text fw={600}>{pick(result.title)}</Text>
            <Group gap={6} wrap="nowrap">
              <Text size="xs" c="dimmed">
                {t('test.duration', { ms: result.durationMs })}
              </Text>
              <Badge color={color} variant="light">
                {t(`test.status.${result.status}`)}
              </Badge>
            </Group>
          </Group>
          <Text size="sm">{pick(result.message)}</Text>
          {needsAction && (result.step || result.link) && (
            <Group gap="xs" mt={4}>
              <Text size="sm" fw={500}>
                {t('test.whatToDo')}
              </Text>
              {result.step && <StepLinkButton stepId={result.step} size="compact-sm" />}
              {result.link && (
                <ExternalLinkButton
                  href={result.link}
                  label={t('test.openFix')}
                  size="compact-sm"
                />
              )}
            </Group>
          )}
          {needsAction && result.step === 'admin.dwd-authorize' && <DelegationDelayNote />}
          {needsAction && result.step === 'pre.other-sync' && <OtherSyncNote />}
        </Stack>
      </Group>
    </Card>
  );
}

/** The help page's warning about a second sync (phone ⇄ Google): it applies to every set-up. */
function OtherSyncNote() {
  const { t } = useI18n();
  return (
    <Alert
      color="yellow"
      variant="light"
      icon={<IconAlertTriangle aria-hidden />}
      data-testid="other-sync-note"
    >
      <Text size="sm">{t('steps.pre.other-sync')}</Text>
    </Alert>
  );
}

/** The Test: every diagnostic in order, live, each failure pointing at the step that fixes it. */
export function TestView() {
  const { reloadChecklist } = useApp();
  const { t } = useI18n();
  const { running, results, total, report } = useDiagnostics();
  const finished = results.filter(Boolean).length;
  const failed = results.filter((r) => r?.status === 'fail').length;
  const warned = results.filter((r) => r?.status === 'warn').length;

  return (
    <Stack gap="md">
      <Group justify="space-between">
        <Title order={2}>{t('test.title')}</Title>
        <Button
          leftSection={<IconFlask size={18} aria-hidden />}
          loading={running}
          onClick={() => void runTest(reloadChecklist)}
          data-testid="run-test"
        >
          {report ? t('test.runAgain') : t('test.run')}
        </Button>
      </Group>
      <Text c="dimmed">{t('test.intro')}</Text>
      {running && (
        <Stack gap={4}>
          <Progress
            value={total ? (100 * finished) / total : 100}
            animated
            striped={!total}
            aria-label={t('test.progress')}
          />
          <Text size="sm" c="dimmed" role="status">
            {total ? t('test.progressText', { done: finished, total }) : t('test.starting')}
          </Text>
        </Stack>
      )}
      {report && (
        <Alert
          color={report.ok ? (warned ? 'yellow' : 'teal') : 'red'}
          variant="light"
          icon={report.ok ? <IconCircleCheck aria-hidden /> : <IconCircleX aria-hidden />}
          title={report.ok ? t('test.allGood') : t('test.failed', { count: failed })}
          data-testid="test-summary"
          data-ok={report.ok}
        >
          {warned > 0 && t('test.warnings', { count: warned })}
        </Alert>
      )}
      {!running && !report && (
        <Card withBorder padding="xl">
          <Group justify="center" gap="sm" c="dimmed">
            <IconCircleDashed aria-hidden />
            <Text>{t('test.notRun')}</Text>
          </Group>
        </Card>
      )}
      <Stack gap="xs" aria-live="polite">
        {results.map((result) => result && <CheckRow key={result.id} result={result} />)}
      </Stack>
      {report && !results.some((r) => r?.step === 'pre.other-sync') && <OtherSyncNote />}
    </Stack>
  );
}
