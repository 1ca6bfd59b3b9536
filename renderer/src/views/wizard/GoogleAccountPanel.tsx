import { useState } from 'react';
import { SimpleGrid, Stack, TextInput } from '@mantine/core';
import { SaveSettingsButton } from '../../components/SaveSettingsButton';
import { useI18n } from '../../i18n';
import { useApp } from '../../state';

/** The service account's address: checked for Google's form and ending when saved. */
export function ServiceAccountPanel() {
  const { state } = useApp();
  const { t } = useI18n();
  const [email, setEmail] = useState(state.google.serviceAccountEmail ?? '');
  return (
    <Stack gap="sm">
      <TextInput
        label={t('google.serviceAccountEmail')}
        placeholder="severa-sync@project.iam.gserviceaccount.com"
        value={email}
        onChange={(e) => setEmail(e.currentTarget.value)}
        data-field="serviceAccountEmail"
      />
      <SaveSettingsButton
        continueAfter
        disabled={!email.trim()}
        patch={() => ({ google: { serviceAccountEmail: email.trim() } })}
      />
    </Stack>
  );
}

/** The client id (from the key), the Workspace domain and the Test's user of that domain. */
export function ClientIdPanel() {
  const { state } = useApp();
  const { t } = useI18n();
  const [fields, setFields] = useState({
    clientId: state.google.clientId ?? '',
    domain: state.google.domain ?? '',
    testUser: state.google.testUser ?? '',
  });
  const field = (name: keyof typeof fields) => ({
    value: fields[name],
    'data-field': name,
    onChange: (e: React.ChangeEvent<HTMLInputElement>) =>
      setFields({ ...fields, [name]: e.currentTarget.value }),
  });
  // Only filled fields are sent: an empty one means "not known yet", not "erase".
  const filled = Object.fromEntries(
    Object.entries(fields)
      .map(([k, v]) => [k, v.trim()])
      .filter(([, v]) => v !== ''),
  );

  return (
    <Stack gap="sm">
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <TextInput label={t('google.clientId')} inputMode="numeric" {...field('clientId')} />
        <TextInput label={t('google.domain')} placeholder="yritys.fi" {...field('domain')} />
        <TextInput
          label={t('google.testUser')}
          description={t('google.testUserHint')}
          {...field('testUser')}
        />
      </SimpleGrid>
      <SaveSettingsButton continueAfter patch={() => ({ google: filled })} />
    </Stack>
  );
}
