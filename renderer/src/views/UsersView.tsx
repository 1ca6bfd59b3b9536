import { useCallback, useState } from 'react';
import { Badge, Button, Card, Group, Loader, Stack, Table, Text, Title } from '@mantine/core';
import { IconRefresh } from '@tabler/icons-react';
import type { ErrorDto, Result, UserStateDto } from '../../../preload/api';
import { api } from '../api';
import { ErrorAlert } from '../components/ErrorAlert';
import { StepLinkButton } from '../components/links';
import { useAfterRuns } from '../components/useAfterRuns';
import { useI18n } from '../i18n';

const STATE_COLOR: Record<UserStateDto['state'], string> = {
  ok: 'teal',
  skipped: 'orange',
  stopped: 'red',
  failing: 'red',
  quarantined: 'orange',
  'not-synced': 'gray',
  disabled: 'gray',
};

/** Who is synced, who is not and why, since when: the admin's answer to "what about Aino?". */
export function UsersView() {
  const { t, formatTime, pick } = useI18n();
  const [users, setUsers] = useState<UserStateDto[] | null>(null);
  const [error, setError] = useState<ErrorDto | null>(null);
  const show = useCallback((result: Result<UserStateDto[]>) => {
    if (result.ok) {
      setUsers(result.value);
      setError(null);
    } else setError(result.error);
  }, []);
  const load = useCallback(() => api().listUserStates().then(show), [show]);
  // A finished run changes states: follow it.
  useAfterRuns(load);

  return (
    <Stack gap="md">
      <Group justify="space-between">
        <Title order={2}>{t('usersView.title')}</Title>
        <Button
          variant="default"
          leftSection={<IconRefresh size={16} aria-hidden />}
          onClick={() => void load()}
        >
          {t('usersView.refresh')}
        </Button>
      </Group>
      <Text c="dimmed">{t('usersView.intro')}</Text>
      {error && <ErrorAlert error={error} />}
      {!users && !error && <Loader size="sm" role="status" aria-label={t('common.loading')} />}
      {users && (
        <Card withBorder padding={0}>
          <Table.ScrollContainer minWidth={860}>
            <Table striped verticalSpacing={6} data-testid="user-states">
              <Table.Caption>{t('usersView.count', { count: users.length })}</Table.Caption>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('usersView.user')}</Table.Th>
                  <Table.Th>{t('usersView.state')}</Table.Th>
                  <Table.Th>{t('usersView.since')}</Table.Th>
                  <Table.Th>{t('usersView.lastRun')}</Table.Th>
                  <Table.Th ta="right">{t('usersView.items')}</Table.Th>
                  <Table.Th>{t('usersView.reason')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {users.map((u) => (
                  <Table.Tr
                    key={`${u.email ?? ''}-${u.name}`}
                    data-user={u.email ?? u.name}
                    data-state={u.state}
                  >
                    <Table.Td miw={240}>
                      <Text size="sm">{u.name}</Text>
                      <Text ff="monospace" fz="xs">
                        {u.email ?? t('common.none')}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Badge
                        color={STATE_COLOR[u.state]}
                        variant="light"
                        tt="none"
                        style={{ minWidth: 'max-content', overflow: 'visible' }}
                      >
                        {t(`usersView.states.${u.state}`)}
                      </Badge>
                    </Table.Td>
                    <Table.Td fz="xs">{u.since ? formatTime(u.since) : t('common.none')}</Table.Td>
                    <Table.Td fz="xs">
                      {u.lastRun ? formatTime(u.lastRun) : t('common.none')}
                    </Table.Td>
                    <Table.Td ta="right">
                      <Text size="sm" data-items>
                        {u.items}
                      </Text>
                      {u.held > 0 && (
                        <Text size="xs" data-held>
                          {t('usersView.heldCount', { count: u.held })}
                        </Text>
                      )}
                      {(u.quarantined ?? 0) > 0 && (
                        <Text size="xs" data-quarantined>
                          {t('usersView.quarantinedCount', { count: u.quarantined })}
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td miw={220}>
                      <Stack gap={2} align="flex-start">
                        {u.reason && (
                          <Text size="xs" data-reason>
                            {u.reasonText ? pick(u.reasonText) : u.reason}
                          </Text>
                        )}
                        {u.step && u.state !== 'ok' && (
                          <StepLinkButton stepId={u.step} size="compact-xs" short />
                        )}
                      </Stack>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Card>
      )}
    </Stack>
  );
}
