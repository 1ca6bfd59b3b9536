import { useState } from 'react';
import { SimpleGrid, Stack, TextInput } from '@mantine/core';
import { SaveSettingsButton } from '../../components/SaveSettingsButton';
import { useI18n } from '../../i18n';
import { useApp } from '../../state';

/** The service account's e-mail and client id, the Workspace domain and the Test's user. */
export function GoogleAccountPanel() {
  const { state } = useApp();
  const { t } = useI18n();
  const [fields, setFields] = useState({
    serviceAccountEmail: state.google.serviceAccountEmail ?? '',
    clientId: state.google.clientId ?? '',
    domain: state.google.domain ?? '',
    testUser: state.google.testUser ?? '',
  });
  const field = (name: keyof typeof fields) => ({
    value: fields[name],
    onChange: (e: React.ChangeEvent<HTMLInputElement>) =>
      setFields({ ...fields, [name]: e.currentTarget.value }),
  });
  // Only filled fields are sent: an empty one means "not known yet", not "erase".
  const filled = Object.fromEntries(Object.entries(fields).filter(([, v]) => v.trim() !== ''));

  return (
    <Stack gap="sm">
      <SimpleGrid cols={2}>
        <TextInput label={t('google.serviceAccountEmail')} {...field('serviceAccountEmail')} />
        <TextInput label={t('google.clientId')} inputMode="numeric" {...field('clientId')} />
        <TextInput label={t('google.domain')} placeholder="example.com" {...field('domain')} />
        <TextInput
          label={t('google.testUser')}
          description={t('google.testUserHint')}
          {...field('testUser')}
        />
      </SimpleGrid>
      <SaveSettingsButton patch={() => ({ google: filled })} />
    </Stack>
  );
}
