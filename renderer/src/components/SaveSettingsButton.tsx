import { Button, Group } from '@mantine/core';
import type { RequestArgs } from '../../../preload/api';
import { api } from '../api';
import { useI18n } from '../i18n';
import { ErrorAlert } from './ErrorAlert';
import { sameState, useSaver } from './useSaver';

export type SettingsPatch = RequestArgs<'updateSettings'>[0];

/** Save for a form of settings: its error inline above the button, where the admin looks. */
export function SaveSettingsButton({ patch }: { patch: () => SettingsPatch }) {
  const { t } = useI18n();
  const { save, saving, error, clearError } = useSaver();
  return (
    <>
      {error && <ErrorAlert error={error} onClose={clearError} />}
      <Group>
        <Button
          loading={saving}
          onClick={() => void save(() => api().updateSettings(patch()), sameState)}
        >
          {t('common.save')}
        </Button>
      </Group>
    </>
  );
}
