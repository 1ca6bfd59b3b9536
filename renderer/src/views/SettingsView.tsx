import { useState } from 'react';
import {
  Accordion,
  Alert,
  Card,
  Group,
  NumberInput,
  Select,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import type { AppStateDto } from '../../../preload/api';
import { api } from '../api';
import { ConfirmButton } from '../components/ConfirmButton';
import { SaveSettingsButton } from '../components/SaveSettingsButton';
import { ErrorAlert } from '../components/ErrorAlert';
import { sameState, useSaver } from '../components/useSaver';
import { useI18n } from '../i18n';
import { useApp } from '../state';

type Policy = AppStateDto['sync']['conflictPolicy'];
type NumberKey =
  'windowPastDays' | 'windowFutureDays' | 'deletionThresholdPercent' | 'intervalMinutes';

/** The ranges the service accepts (preload/api.ts): shown, never silently clamped. */
const RANGES: Record<NumberKey, { min: number; max: number; integer: boolean }> = {
  intervalMinutes: { min: 1, max: 1440, integer: true },
  windowPastDays: { min: 0, max: 365, integer: true },
  windowFutureDays: { min: 1, max: 730, integer: true },
  deletionThresholdPercent: { min: 0, max: 100, integer: false },
};
const inRange = (key: NumberKey, value: number | string) => {
  const n = typeof value === 'number' ? value : Number(value);
  const { min, max, integer } = RANGES[key];
  return (
    value !== '' && Number.isFinite(n) && n >= min && n <= max && (!integer || Number.isInteger(n))
  );
};
type Language = AppStateDto['app']['language'];

/** Sync policy, language, the advanced endpoints and the reset of the sync state. */
export function SettingsView() {
  const { state } = useApp();
  const { t } = useI18n();
  const { save, error, clearError } = useSaver();
  const reset = useSaver();
  const [sync, setSync] = useState<
    Omit<AppStateDto['sync'], NumberKey> & Record<NumberKey, number | string>
  >(state.sync);
  const [endpoints, setEndpoints] = useState({
    googleApiRoot: state.google.apiRoot,
    googleTokenUrl: state.google.tokenUrl,
    severaApiRoot: state.severa.apiRoot,
  });
  const number = (key: NumberKey) => ({
    value: sync[key],
    min: RANGES[key].min,
    max: RANGES[key].max,
    clampBehavior: 'none' as const,
    allowDecimal: !RANGES[key].integer,
    error: inRange(key, sync[key]) ? undefined : t('settings.range', RANGES[key]),
    onChange: (value: string | number) => setSync({ ...sync, [key]: value }),
  });
  const valid = (Object.keys(RANGES) as NumberKey[]).every((key) => inRange(key, sync[key]));
  const endpoint = (key: keyof typeof endpoints) => ({
    value: endpoints[key],
    onChange: (e: React.ChangeEvent<HTMLInputElement>) =>
      setEndpoints({ ...endpoints, [key]: e.currentTarget.value }),
  });

  return (
    <Stack gap="md">
      <Title order={2}>{t('settings.title')}</Title>
      <Card withBorder padding="lg">
        <Stack gap="md">
          <Title order={3}>{t('settings.sync')}</Title>
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <Select
              label={t('settings.conflictPolicy')}
              description={t('settings.conflictPolicyHint')}
              data={(['later-wins', 'severa-wins', 'google-wins'] as const).map((value) => ({
                value,
                label: t(`settings.policy.${value}`),
              }))}
              value={sync.conflictPolicy}
              onChange={(value) => value && setSync({ ...sync, conflictPolicy: value as Policy })}
              allowDeselect={false}
            />
            <NumberInput
              label={t('settings.interval')}
              description={t('schedule.intervalHint')}
              {...number('intervalMinutes')}
            />
            <NumberInput label={t('settings.windowPast')} {...number('windowPastDays')} />
            <NumberInput label={t('settings.windowFuture')} {...number('windowFutureDays')} />
            <NumberInput
              label={t('settings.threshold')}
              description={t('settings.thresholdHint')}
              suffix=" %"
              {...number('deletionThresholdPercent')}
            />
            <Select
              label={t('settings.language')}
              data={[
                { value: 'system', label: t('settings.languageSystem') },
                { value: 'fi', label: 'Suomi' },
                { value: 'en', label: 'English' },
              ]}
              value={state.app.language}
              onChange={(value) =>
                value &&
                void save(
                  () => api().updateSettings({ app: { language: value as Language } }),
                  sameState,
                )
              }
              allowDeselect={false}
            />
          </SimpleGrid>
          <Accordion variant="contained">
            <Accordion.Item value="advanced">
              <Accordion.Control>{t('settings.advanced')}</Accordion.Control>
              <Accordion.Panel>
                <Stack gap="sm">
                  <Text size="sm" c="dimmed">
                    {t('settings.advancedHint')}
                  </Text>
                  <TextInput label={t('settings.googleApiRoot')} {...endpoint('googleApiRoot')} />
                  <TextInput label={t('settings.googleTokenUrl')} {...endpoint('googleTokenUrl')} />
                  <TextInput label={t('settings.severaApiRoot')} {...endpoint('severaApiRoot')} />
                </Stack>
              </Accordion.Panel>
            </Accordion.Item>
          </Accordion>
          {error && <ErrorAlert error={error} onClose={clearError} />}
          <SaveSettingsButton
            disabled={!valid}
            patch={() => ({
              sync: {
                ...sync,
                intervalMinutes: Number(sync.intervalMinutes),
                windowPastDays: Number(sync.windowPastDays),
                windowFutureDays: Number(sync.windowFutureDays),
                deletionThresholdPercent: Number(sync.deletionThresholdPercent),
              },
              google: { apiRoot: endpoints.googleApiRoot, tokenUrl: endpoints.googleTokenUrl },
              severa: { apiRoot: endpoints.severaApiRoot },
            })}
          />
        </Stack>
      </Card>
      <Card withBorder padding="lg">
        <Stack gap="sm">
          <Title order={3}>{t('settings.reset')}</Title>
          <Alert color="orange" variant="light" icon={<IconAlertTriangle aria-hidden />}>
            <Text size="sm">{t('settings.resetHint')}</Text>
          </Alert>
          {reset.error && <ErrorAlert error={reset.error} onClose={reset.clearError} />}
          <Group>
            <ConfirmButton
              loading={reset.saving}
              title={t('settings.resetTitle')}
              message={t('settings.resetMessage')}
              confirmLabel={t('settings.resetConfirm')}
              onConfirm={() => void reset.save(() => api().resetSyncState(), sameState)}
            >
              {t('settings.reset')}
            </ConfirmButton>
          </Group>
        </Stack>
      </Card>
    </Stack>
  );
}
