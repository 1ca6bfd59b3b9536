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
  SyncStatusDto,
} from '../../../preload/api';
import { api } from '../api';
import { ConfirmButton } from '../components/ConfirmButton';
import { ErrorAlert } from '../components/ErrorAlert';
import { StepLinkButton } from '../components/links';
import { useI18n } from '../i18n';
import { LiveLog } from './LiveLog';

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

function HeldDeletions({
  held,
  onStatus,
}: {
  held: HeldDeletionDto[];
  onStatus(status: SyncStatusDto): void;
}) {
  const { t, formatTime } = useI18n();
  const [error, setError] = useState<ErrorDto | null>(null);
  const resolve = async (user: string, decision: 'apply' | 'restore') => {
    const result = await api().resolveHeld(user, decision);
    if (result.ok) onStatus(result.value);
    else setError(result.error);
  };
  return (
    <Card withBorder padding="md">
      <Title order={3} mb="xs">
        {t('dashboard.held')}
      </Title>
      {error && <ErrorAlert error={error} onClose={() => setError(null)} />}
      {held.length === 0 ? (
        <Text size="sm" c="dimmed">
          {t('dashboard.noHeld')}
        </Text>
      ) : (
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('log.user')}</Table.Th>
              <Table.Th>{t('dashboard.heldSide')}</Table.Th>
              <Table.Th>{t('dashboard.heldCount')}</Table.Th>
              <Table.Th>{t('dashboard.heldSince')}</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {held.map((h) => (
              <Table.Tr key={`${h.user}-${h.side}`}>
                <Table.Td>{h.user}</Table.Td>
                <Table.Td>{t(`dashboard.side.${h.side}`)}</Table.Td>
                <Table.Td>{t('dashboard.heldOf', { count: h.count, total: h.total })}</Table.Td>
                <Table.Td>{formatTime(h.since)}</Table.Td>
                <Table.Td>
                  <Group gap="xs" justify="flex-end" wrap="nowrap">
                    <Button
                      size="compact-sm"
                      variant="light"
                      onClick={() => void resolve(h.user, 'restore')}
                    >
                      {t('dashboard.restore')}
                    </Button>
                    <ConfirmButton
                      size="compact-sm"
                      title={t('dashboard.applyTitle')}
                      message={t('dashboard.applyMessage', { count: h.count, user: h.user })}
                      confirmLabel={t('dashboard.applyConfirm', { count: h.count })}
                      onConfirm={() => void resolve(h.user, 'apply')}
                    >
                      {t('dashboard.apply')}
                    </ConfirmButton>
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Card>
  );
}

/** Last and next run, what moved in each direction, held deletions, Sync now and the live log. */
export function Dashboard() {
  const { t, formatTime } = useI18n();
  const [status, setStatus] = useState<SyncStatusDto | null>(null);
  const [error, setError] = useState<ErrorDto | null>(null);
  const [requested, setRequested] = useState(false);

  useEffect(() => {
    const unsubscribe = api().on('status-changed', setStatus);
    void api().getStatus().then(setStatus);
    return unsubscribe;
  }, []);

  const syncNow = async () => {
    setRequested(true);
    setError(null);
    const result = await api().syncNow();
    setRequested(false);
    if (!result.ok) setError(result.error);
    setStatus(await api().getStatus());
  };

  const running = requested || Boolean(status?.running);
  const summary = status?.lastRun?.summary ?? null;

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
      {running && <Progress value={100} animated striped aria-label={t('dashboard.syncing')} />}
      {error && <ErrorAlert error={error} onClose={() => setError(null)} />}
      <SimpleGrid cols={4}>
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
                : t('dashboard.runErrors', { count: summary.errors.length })}
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
        <DirectionCard title={`Severa → Google`} counts={summary?.toGoogle} />
        <DirectionCard title={`Google → Severa`} counts={summary?.toSevera} />
      </SimpleGrid>
      {summary && summary.errors.length > 0 && (
        <Alert color="red" variant="light" title={t('dashboard.userErrors')}>
          <List size="sm" spacing={4} icon={<IconArrowRight size={14} aria-hidden />}>
            {summary.errors.map((e) => (
              <List.Item key={`${e.user}-${e.message}`}>
                <Text span size="sm" ff="monospace">
                  {e.user}
                </Text>
                : {e.message} {e.step && <StepLinkButton stepId={e.step} size="compact-xs" />}
              </List.Item>
            ))}
          </List>
        </Alert>
      )}
      <HeldDeletions held={status?.held ?? []} onStatus={setStatus} />
      <LiveLog />
    </Stack>
  );
}
