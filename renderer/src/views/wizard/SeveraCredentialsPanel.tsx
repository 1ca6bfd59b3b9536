import { useState } from 'react';
import { Badge, Button, Group, PasswordInput, Stack, TextInput } from '@mantine/core';
import { IconLock } from '@tabler/icons-react';
import { api } from '../../api';
import { ErrorAlert } from '../../components/ErrorAlert';
import { sameState, useSaver } from '../../components/useSaver';
import { useI18n } from '../../i18n';
import { useApp } from '../../state';
import { useStepDone } from './flow';

/** Severa's REST API client credentials; the secret goes straight to the keychain. */
export function SeveraCredentialsPanel() {
  const { state } = useApp();
  const { t } = useI18n();
  const { save, saving, error, clearError } = useSaver();
  const next = useStepDone();
  const [clientId, setClientId] = useState(state.severa.clientId ?? '');
  const [secret, setSecret] = useState('');

  const submit = async () => {
    const saved = await save(
      () => api().setSeveraCredentials({ clientId: clientId.trim(), clientSecret: secret }),
      sameState,
    );
    // The secret leaves the renderer's memory as soon as the keychain has it.
    if (saved) {
      setSecret('');
      next();
    }
  };

  return (
    <Stack gap="sm">
      {state.severa.secretStored && (
        <Badge
          color="teal"
          leftSection={<IconLock size={12} aria-hidden />}
          data-testid="secret-stored"
        >
          {t('severa.secretStored')}
        </Badge>
      )}
      <TextInput
        label={t('severa.clientId')}
        value={clientId}
        onChange={(e) => setClientId(e.currentTarget.value)}
        data-field="severaClientId"
      />
      <PasswordInput
        data-field="severaClientSecret"
        label={t('severa.clientSecret')}
        description={state.severa.secretStored ? t('severa.secretReplaceHint') : undefined}
        value={secret}
        onChange={(e) => setSecret(e.currentTarget.value)}
      />
      {error && <ErrorAlert error={error} onClose={clearError} />}
      <Group>
        <Button
          onClick={() => void submit()}
          disabled={!clientId.trim() || !secret}
          loading={saving}
        >
          {t('severa.verify')}
        </Button>
      </Group>
    </Stack>
  );
}
