import { useState } from 'react';
import { NumberInput, Stack, Switch } from '@mantine/core';
import { SaveSettingsButton } from '../../components/SaveSettingsButton';
import { useI18n } from '../../i18n';
import { useApp } from '../../state';

const MIN = 1;
const MAX = 1440;

/** How often the background sync runs, and whether the app starts at login. */
export function SchedulePanel() {
  const { state } = useApp();
  const { t } = useI18n();
  const [interval, setInterval] = useState<number | string>(state.sync.intervalMinutes);
  const [startAtLogin, setStartAtLogin] = useState(state.app.startAtLogin);
  const value = Number(interval);
  const valid = Number.isInteger(value) && value >= MIN && value <= MAX;

  return (
    <Stack gap="sm">
      <NumberInput
        label={t('schedule.interval')}
        description={t('schedule.intervalHint')}
        min={MIN}
        max={MAX}
        clampBehavior="none"
        allowDecimal={false}
        value={interval}
        onChange={setInterval}
        error={valid ? undefined : t('settings.range', { min: MIN, max: MAX })}
        w={260}
      />
      <Switch
        label={t('schedule.startAtLogin')}
        checked={startAtLogin}
        onChange={(e) => setStartAtLogin(e.currentTarget.checked)}
      />
      <SaveSettingsButton
        continueAfter
        disabled={!valid}
        patch={() => ({ sync: { intervalMinutes: value }, app: { startAtLogin } })}
      />
    </Stack>
  );
}
