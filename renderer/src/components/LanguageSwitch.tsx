import { SegmentedControl } from '@mantine/core';
import { api } from '../api';
import { useI18n } from '../i18n';
import { useApp } from '../state';

/** Switches between Finnish and English at once; the choice is saved in the settings. */
export function LanguageSwitch() {
  const { setState } = useApp();
  const { t, language } = useI18n();
  const choose = async (value: string) => {
    const result = await api().updateSettings({ app: { language: value === 'fi' ? 'fi' : 'en' } });
    if (result.ok) setState(result.value);
  };
  return (
    <SegmentedControl
      size="xs"
      value={language}
      onChange={(value) => void choose(value)}
      aria-label={t('settings.language')}
      data={[
        { value: 'fi', label: 'Suomi' },
        { value: 'en', label: 'English' },
      ]}
    />
  );
}
