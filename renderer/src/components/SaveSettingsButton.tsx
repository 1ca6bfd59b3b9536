import { Button, Group } from '@mantine/core';
import type { RequestArgs } from '../../../preload/api';
import { api } from '../api';
import { useI18n } from '../i18n';
import { useStepDone } from '../views/wizard/flow';
import { ErrorAlert } from './ErrorAlert';
import { sameState, useSaver } from './useSaver';

export type SettingsPatch = RequestArgs<'updateSettings'>[0];

/**
 * Save for a form of settings: its error (the rule's or the server's words) inline above the
 * button, where the admin looks. In the set-up flow a verified save moves on to the next step.
 */
export function SaveSettingsButton({
  patch,
  continueAfter = false,
  disabled = false,
}: {
  patch: () => SettingsPatch;
  continueAfter?: boolean;
  disabled?: boolean;
}) {
  const { t } = useI18n();
  const { save, saving, error, clearError } = useSaver();
  const next = useStepDone();
  const submit = async () => {
    const saved = await save(() => api().updateSettings(patch()), sameState);
    if (saved && continueAfter) next();
  };
  return (
    <>
      {error && <ErrorAlert error={error} onClose={clearError} />}
      <Group>
        <Button loading={saving} disabled={disabled} onClick={() => void submit()}>
          {continueAfter ? t('common.saveAndContinue') : t('common.save')}
        </Button>
      </Group>
    </>
  );
}
