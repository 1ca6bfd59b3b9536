import { useState } from 'react';
import { NumberInput, Stack, Switch } from '@mantine/core';
import { SaveSettingsButton } from '../../components/SaveSettingsButton';
import { useI18n } from '../../i18n';
import { useApp } from '../../state';

/** How often the background sync runs, and whether the app starts at login. */
export function SchedulePanel() {
  const { state } = useApp();
  const { t } = useI18n();
  const [interval, setInterval] = useState<number>(state.sync.intervalMinutes);
  const [startAtLogin, setStartAtLogin] = useState(state.app.startAtLogin);

  return (
    <Stack gap="sm">
      <NumberInput
        label={t('schedule.interval')}
        description={t('schedule.intervalHint')}
        min={1}
        max={1440}
        value={interval}
        onChange={(value) => setInterval(Number(value) || 1)}
        w={260}
      />
      <Switch
        label={t('schedule.startAtLogin')}
        checked={startAtLogin}
        onChange={(e) => setStartAtLogin(e.currentTarget.checked)}
      />
      <SaveSettingsButton
        patch={() => ({ sync: { intervalMinutes: interval }, app: { startAtLogin } })}
      />
    </Stack>
  );
}
