import { useState } from 'react';
import { notifications } from '@mantine/notifications';
import type { AppStateDto, ErrorDto, Result } from '../../../preload/api';
import { useI18n } from '../i18n';
import { useApp } from '../state';

/**
 * Runs a call that returns the new state: keeps the state and the checklist current, shows the
 * error inline (not as a pop-up) and confirms success with a short notification.
 */
export function useSaver() {
  const { setState, reloadChecklist } = useApp();
  const { t } = useI18n();
  const [error, setError] = useState<ErrorDto | null>(null);
  const [saving, setSaving] = useState(false);

  const save = async <T>(
    call: () => Promise<Result<T>>,
    stateOf: (value: T) => AppStateDto,
  ): Promise<T | null> => {
    setSaving(true);
    setError(null);
    try {
      const result = await call();
      if (!result.ok) {
        setError(result.error);
        return null;
      }
      setState(stateOf(result.value));
      await reloadChecklist();
      notifications.show({
        color: 'teal',
        message: t('common.saved'),
        autoClose: 2500,
        closeButtonProps: { 'aria-label': t('common.close') },
      });
      return result.value;
    } finally {
      setSaving(false);
    }
  };
  return { save, saving, error, clearError: () => setError(null) };
}

export const sameState = (state: AppStateDto) => state;
