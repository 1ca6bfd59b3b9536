import { useCallback, useEffect, useState } from 'react';
import { Badge, Button, Group, Loader, Stack, Switch, Table, Text } from '@mantine/core';
import type { ErrorDto, Result, SeveraUserDto } from '../../../../preload/api';
import { api } from '../../api';
import { ErrorAlert } from '../../components/ErrorAlert';
import { StepLinkButton } from '../../components/links';
import { sameState, useSaver } from '../../components/useSaver';
import { useI18n } from '../../i18n';
import { useApp } from '../../state';
import { useStepDone } from './flow';

const MATCH_COLOR: Record<SeveraUserDto['match'], string> = {
  ok: 'teal',
  'no-google-account': 'red',
  'no-email': 'orange',
  unchecked: 'gray',
};

/** Who takes part: everyone (recommended) or a chosen few, and whether each e-mail matches. */
export function UsersPanel() {
  const { state } = useApp();
  const { t } = useI18n();
  const { save, saving, error: saveError, clearError } = useSaver();
  const next = useStepDone();
  const [users, setUsers] = useState<SeveraUserDto[] | null>(null);
  const [loadError, setLoadError] = useState<ErrorDto | null>(null);

  const show = useCallback((result: Result<SeveraUserDto[]>) => {
    if (result.ok) setUsers(result.value);
    else setLoadError(result.error);
  }, []);
  const load = async () => show(await api().listUsers());

  useEffect(() => {
    void api().listUsers().then(show);
  }, [show]);

  const allMode = state.users.mode === 'all';
  const update = async (users: { mode: 'all' | 'selected'; enabled?: string[] }) => {
    if (await save(() => api().updateSettings({ users }), sameState)) await load();
  };
  const toggle = (user: SeveraUserDto, on: boolean) => {
    const enabled = new Set(
      (users ?? []).filter((u) => u.enabled && u.email).map((u) => u.email as string),
    );
    if (on) enabled.add(user.email as string);
    else enabled.delete(user.email as string);
    void update({ mode: 'selected', enabled: [...enabled] });
  };

  // The choice as it stands is saved once more, so the step is verified by its own save.
  const confirm = async () => {
    const users =
      state.users.mode === 'all'
        ? { mode: 'all' as const }
        : { mode: 'selected' as const, enabled: state.users.enabled };
    if (await save(() => api().updateSettings({ users }), sameState)) next();
  };

  return (
    <Stack gap="sm">
      <Switch
        label={t('users.all')}
        description={t('users.allHint')}
        checked={allMode}
        onChange={(e) =>
          void update(
            e.currentTarget.checked
              ? { mode: 'all' }
              : {
                  mode: 'selected',
                  enabled: (users ?? []).flatMap((u) => (u.email ? [u.email] : [])),
                },
          )
        }
      />
      {saveError && <ErrorAlert error={saveError} onClose={clearError} />}
      {loadError && <ErrorAlert error={loadError} />}
      {!users && !loadError && <Loader size="sm" role="status" aria-label={t('common.loading')} />}
      {users && (
        <Table striped highlightOnHover verticalSpacing={6} data-testid="users-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th w={70}>{t('users.enabled')}</Table.Th>
              <Table.Th>{t('users.name')}</Table.Th>
              <Table.Th>{t('users.email')}</Table.Th>
              <Table.Th>{t('users.match')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {users.map((user) => (
              <Table.Tr key={user.guid}>
                <Table.Td>
                  <Switch
                    checked={user.enabled}
                    disabled={!user.email}
                    onChange={(e) => toggle(user, e.currentTarget.checked)}
                    aria-label={t('users.enableUser', { name: user.name })}
                  />
                </Table.Td>
                <Table.Td>
                  <Text size="sm" style={{ whiteSpace: 'nowrap' }}>
                    {user.name}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Text size="xs" ff="monospace">
                    {user.email ?? '–'}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Group gap={4}>
                    <Badge
                      color={MATCH_COLOR[user.match]}
                      variant="light"
                      tt="none"
                      style={{ flexShrink: 0 }}
                    >
                      {t(`users.matchState.${user.match}`)}
                    </Badge>
                    {user.step && user.match !== 'ok' && (
                      <StepLinkButton stepId={user.step} size="compact-xs" short />
                    )}
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <Group>
        <Button onClick={() => void confirm()} loading={saving} data-testid="users-continue">
          {t('common.saveAndContinue')}
        </Button>
      </Group>
    </Stack>
  );
}
