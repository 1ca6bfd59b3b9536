import { useEffect, useState } from 'react';
import {
  Alert,
  Badge,
  Button,
  Card,
  Group,
  List,
  Progress,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { IconArrowRight, IconRefresh } from '@tabler/icons-react';
import type {
  DirectionCounts,
  ErrorDto,
  HeldDeletionDto,
  HeldResolutionDto,
  SyncProgressDto,
  SyncStatusDto,
} from '../../../preload/api';
import { api } from '../api';
import { ConfirmButton } from '../components/ConfirmButton';
import { ErrorAlert } from '../components/ErrorAlert';
import { StepLinkButton } from '../components/links';
import { useI18n } from '../i18n';
import { LiveLog, useStartText } from './LiveLog';
import { QuarantinedItems } from './QuarantinedItems';
import { SyncProgress, SyncProgressAnnouncer } from './SyncProgress';

const STATE_COLOR: Record<SyncStatusDto['state'], string> = {
  idle: 'teal',
  syncing: 'blue',
  error: 'red',
  paused: 'gray',
};

function DirectionCard({ title, counts }: { title: string; counts: DirectionCounts | undefined }) {
  const { t } = useI18n();
  return (
    <Card withBorder padding="md">
      <Text size="sm" fw={600} mb="xs">
        {title}
      </Text>
      <Group gap="lg">
        {(['created', 'updated', 'deleted'] as const).map((kind) => (
          <Stack gap={0} key={kind}>
            <Text size="xl" fw={700} data-count={kind}>
              {counts?.[kind] ?? 0}
            </Text>
            <Text size="xs" c="dimmed">
              {t(`dashboard.${kind}`)}
            </Text>
          </Stack>
        ))}
      </Group>
    </Card>
  );
}

function HeldUser({
  held,
  onResolved,
}: {
  held: HeldDeletionDto;
  onResolved(outcome: HeldResolutionDto): void;
}) {
  const { t, formatTime } = useI18n();
  const startText = useStartText();
  const [busy, setBusy] = useState<'apply' | 'restore' | null>(null);
  const [error, setError] = useState<ErrorDto | null>(null);
  const side = t(`dashboard.side.${held.side}`);
  const resolve = async (decision: 'apply' | 'restore') => {
    setBusy(decision);
    setError(null);
    const result = await api().resolveHeld(held.user, decision);
    setBusy(null);
    if (!result.ok) return setError(result.error);
    onResolved(result.value);
  };
  return (
    <Stack gap="xs" data-held-user={held.user}>
      <Text size="sm" fw={600}>
        {t('dashboard.heldIntro', { user: held.user, count: held.count, total: held.total, side })}
      </Text>
      <Table data-testid="held-items">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('dashboard.heldEntry')}</Table.Th>
            <Table.Th>{t('dashboard.heldStart')}</Table.Th>
            <Table.Th>{t('dashboard.heldSide')}</Table.Th>
            <Table.Th>{t('dashboard.heldReason')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {held.items.map((item) => (
            <Table.Tr key={item.severaGuid} data-held-item={item.severaGuid}>
              <Table.Td>{item.title ?? t('dashboard.untitled')}</Table.Td>
              <Table.Td>{startText(item.start)}</Table.Td>
              <Table.Td>{t(`dashboard.side.${item.side}`)}</Table.Td>
              <Table.Td>
                {t(`dashboard.heldWhy.${item.side}`, { time: formatTime(item.goneSince) })}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {error && <ErrorAlert error={error} onClose={() => setError(null)} />}
      {busy && (
        <Progress
          value={100}
          animated
          striped
          aria-label={t(busy === 'apply' ? 'dashboard.applying' : 'dashboard.restoring')}
        />
      )}
      <Group gap="xs" wrap="nowrap">
        <Button
          size="compact-sm"
          variant="light"
          loading={busy === 'restore'}
          disabled={busy !== null}
          onClick={() => void resolve('restore')}
        >
          {busy === 'restore' ? t('dashboard.restoring') : t('dashboard.restore')}
        </Button>
        <ConfirmButton
          size="compact-sm"
          loading={busy === 'apply'}
          disabled={busy !== null}
          title={t('dashboard.applyTitle')}
          message={t('dashboard.applyMessage', { count: held.count, user: held.user, side })}
          confirmLabel={t('dashboard.applyConfirm', { count: held.count })}
          onConfirm={() => void resolve('apply')}
        >
          {t('dashboard.apply')}
        </ConfirmButton>
      </Group>
    </Stack>
  );
}

function HeldOutcome({ outcome, user }: { outcome: HeldResolutionDto; user: string }) {
  const { t } = useI18n();
  const text =
    outcome.decision === 'apply'
      ? t('dashboard.deletedResult', { count: outcome.done, user })
      : t('dashboard.restored', { count: outcome.done, user });
  return (
    <Alert
      color={outcome.failed ? 'red' : 'teal'}
      variant="light"
      role="status"
      data-testid="held-outcome"
    >
      {text} {outcome.failed > 0 && t('dashboard.resolveFailed', { failed: outcome.failed })}
    </Alert>
  );
}

function HeldDeletions({
  held,
  onStatus,
}: {
  held: HeldDeletionDto[];
  onStatus(status: SyncStatusDto): void;
}) {
  const { t } = useI18n();
  // An answered user leaves the list; what the answer did stays shown below it.
  const [last, setLast] = useState<{ outcome: HeldResolutionDto; user: string } | null>(null);
  return (
    <Card withBorder padding="md" data-testid="held">
      <Title order={3} mb="xs">
        {t('dashboard.held')}
      </Title>
      {held.length === 0 ? (
        <Text size="sm" c="dimmed">
          {t('dashboard.noHeld')}
        </Text>
      ) : (
        <Stack gap="lg">
          {held.map((h) => (
            <HeldUser
              key={`${h.user}-${h.side}`}
              held={h}
              onResolved={(outcome) => {
                setLast({ outcome, user: h.user });
                onStatus(outcome.status);
              }}
            />
          ))}
        </Stack>
      )}
      {last && <HeldOutcome outcome={last.outcome} user={last.user} />}
    </Card>
  );
}

/** Last and next run, what moved in each direction, held deletions, Sync now and the live log. */
export function Dashboard() {
  const { t, formatTime, pick } = useI18n();
  const [status, setStatus] = useState<SyncStatusDto | null>(null);
  const [error, setError] = useState<ErrorDto | null>(null);
  const [requested, setRequested] = useState(false);
  // The run's last progress event; a finished run's stays shown until the next run starts.
  const [progress, setProgress] = useState<SyncProgressDto | null>(null);

  useEffect(() => {
    const onStatus = (next: SyncStatusDto) => {
      setStatus(next);
      // While a run goes on, the status carries its latest progress (null: none yet).
      if (next.running) setProgress(next.progress ?? null);
    };
    const unsubscribe = [
      api().on('status-changed', onStatus),
      api().on('sync-progress', setProgress),
    ];
    void api().getStatus().then(onStatus);
    return () => unsubscribe.forEach((off) => off());
  }, []);

  const syncNow = async () => {
    setRequested(true);
    setError(null);
    setProgress(null);
    const result = await api().syncNow();
    setRequested(false);
    if (!result.ok) setError(result.error);
    setStatus(await api().getStatus());
  };

  const running = requested || Boolean(status?.running);
  const summary = status?.lastRun?.summary ?? null;
  // A run that ended without its last event (it failed) shows no bar.
  const shownProgress = progress && (running || progress.phase === 'done') ? progress : null;

  return (
    <Stack gap="md">
      <Group justify="space-between">
        <Group gap="sm">
          <Title order={2}>{t('dashboard.title')}</Title>
          {status && (
            <Badge color={STATE_COLOR[status.state]} variant="light" data-testid="sync-state">
              {t(`dashboard.state.${status.state}`)}
            </Badge>
          )}
        </Group>
        <Button
          leftSection={<IconRefresh size={18} aria-hidden />}
          onClick={() => void syncNow()}
          loading={running}
          data-testid="sync-now"
        >
          {t('dashboard.syncNow')}
        </Button>
      </Group>
      {running && !shownProgress && (
        <Progress value={100} animated striped aria-label={t('dashboard.syncing')} />
      )}
      {shownProgress && <SyncProgress progress={shownProgress} />}
      <SyncProgressAnnouncer progress={progress} />
      {error && <ErrorAlert error={error} onClose={() => setError(null)} />}
      <SimpleGrid cols={{ base: 2, lg: 4 }}>
        <Card withBorder padding="md">
          <Text size="sm" fw={600} mb="xs">
            {t('dashboard.lastRun')}
          </Text>
          <Text size="lg" fw={700} data-testid="last-run">
            {formatTime(status?.lastRun?.finishedAt ?? status?.lastRun?.startedAt)}
          </Text>
          {summary && (
            <Text size="xs" c={summary.ok ? 'teal' : 'red'}>
              {summary.ok
                ? t('dashboard.runOk', { users: summary.users })
                : [
                    (summary.errors.length > 0 || !summary.quarantined) &&
                      t('dashboard.runErrors', { count: summary.errors.length }),
                    summary.quarantined &&
                      t('dashboard.runQuarantined', { count: summary.quarantined }),
                  ]
                    .filter(Boolean)
                    .join(' · ')}
            </Text>
          )}
        </Card>
        <Card withBorder padding="md">
          <Text size="sm" fw={600} mb="xs">
            {t('dashboard.nextRun')}
          </Text>
          <Text size="lg" fw={700}>
            {formatTime(status?.nextRunAt)}
          </Text>
          {summary && (
            <Text size="xs" c="dimmed">
              {t('dashboard.conflicts', { count: summary.conflicts })}
            </Text>
          )}
        </Card>
        <DirectionCard title={t('dashboard.toGoogle')} counts={summary?.toGoogle} />
        <DirectionCard title={t('dashboard.toSevera')} counts={summary?.toSevera} />
      </SimpleGrid>
      {summary && summary.errors.length > 0 && (
        <Alert color="red" variant="light" title={t('dashboard.userErrors')}>
          <List size="sm" spacing={4} icon={<IconArrowRight size={14} aria-hidden />}>
            {summary.errors.map((e) => (
              <List.Item key={`${e.user}-${e.message}`}>
                <Text span size="sm" ff="monospace">
                  {e.user}
                </Text>
                : {e.text ? pick(e.text) : e.message}{' '}
                {e.step && <StepLinkButton stepId={e.step} size="compact-xs" />}
              </List.Item>
            ))}
          </List>
        </Alert>
      )}
      <HeldDeletions held={status?.held ?? []} onStatus={setStatus} />
      <QuarantinedItems />
      <LiveLog />
    </Stack>
  );
}
