import { useState } from 'react';
import { Alert, Button, Card, Group, List, Stack, Table, Text } from '@mantine/core';
import type { ErrorDto, SyncSummaryDto } from '../../../../preload/api';
import { api } from '../../api';
import { ErrorAlert } from '../../components/ErrorAlert';
import { StepLinkButton } from '../../components/links';
import { useI18n } from '../../i18n';
import { useApp } from '../../state';
import { FocusedHeading } from './flow';

/** The end of the set-up: what the sync will use, what is still unverified, and the first sync. */
export function FinishPanel() {
  const { state, steps, setView } = useApp();
  const { t } = useI18n();
  const [running, setRunning] = useState(false);
  const [summary, setSummary] = useState<SyncSummaryDto | null>(null);
  const [error, setError] = useState<ErrorDto | null>(null);
  const open = steps.filter((s) => !s.provedBy);
  const none = t('common.none');

  const firstSync = async () => {
    setRunning(true);
    setError(null);
    const result = await api().syncNow();
    setRunning(false);
    if (result.ok) setSummary(result.value);
    else setError(result.error);
  };

  const rows: [string, string][] = [
    [t('finish.serviceAccount'), state.google.serviceAccountEmail ?? none],
    [t('finish.clientId'), state.google.clientId ?? none],
    [t('finish.domain'), state.google.domain ?? none],
    [t('finish.testUser'), state.google.testUser ?? none],
    [t('finish.severaClient'), state.severa.clientId ?? none],
    [t('finish.types'), String(state.severa.activityTypeGuids.length)],
    [
      t('finish.users'),
      state.users.mode === 'all'
        ? t('finish.usersAll')
        : t('finish.usersSome', { count: state.users.enabled.length }),
    ],
    [t('finish.interval'), t('finish.intervalValue', { minutes: state.sync.intervalMinutes })],
  ];

  return (
    <Card withBorder padding="lg" data-testid="finish">
      <Stack gap="md">
        <FocusedHeading>{t('finish.title')}</FocusedHeading>
        {open.length === 0 ? (
          <Text>{t('finish.complete')}</Text>
        ) : (
          <Alert color="yellow" variant="light" title={t('finish.incomplete')}>
            <List size="sm">
              {open.map((s) => (
                <List.Item key={s.id}>
                  <StepLinkButton stepId={s.id} size="compact-sm" />
                </List.Item>
              ))}
            </List>
          </Alert>
        )}
        <Table data-testid="finish-summary">
          <Table.Tbody>
            {rows.map(([label, value]) => (
              <Table.Tr key={label}>
                <Table.Th scope="row" w="40%">
                  {label}
                </Table.Th>
                <Table.Td ff="monospace">{value}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        {error && <ErrorAlert error={error} onClose={() => setError(null)} />}
        {summary && (
          <Alert
            color={summary.ok ? 'teal' : 'red'}
            variant="light"
            role="status"
            data-testid="first-sync-result"
            data-ok={summary.ok}
          >
            {summary.ok
              ? t('finish.firstSyncDone', {
                  users: summary.users,
                  toGoogle: summary.toGoogle.created,
                  toSevera: summary.toSevera.created,
                })
              : t('finish.firstSyncFailed', { count: summary.errors.length })}
          </Alert>
        )}
        <Group>
          <Button
            onClick={() => void firstSync()}
            loading={running}
            disabled={open.length > 0}
            data-testid="first-sync"
          >
            {running ? t('finish.firstSyncRunning') : t('finish.firstSync')}
          </Button>
          {summary && (
            <Button variant="default" onClick={() => setView('dashboard')}>
              {t('finish.toDashboard')}
            </Button>
          )}
        </Group>
      </Stack>
    </Card>
  );
}
