import i18next from 'i18next';
import { initReactI18next, useTranslation } from 'react-i18next';
import type { AppStateDto, Localized } from '../../../preload/api';
import fi from './fi.json' with { type: 'json' };
import en from './en.json' with { type: 'json' };

export type UiLanguage = 'fi' | 'en';

/** The language the UI speaks: the setting, or the OS locale when the setting is "system". */
export const uiLanguage = (app: AppStateDto['app']): UiLanguage =>
  app.language === 'system' ? app.systemLanguage : app.language;

const browserLanguage = (): UiLanguage => (navigator.language.startsWith('fi') ? 'fi' : 'en');

export function initI18n() {
  return i18next.use(initReactI18next).init({
    resources: { fi: { translation: fi }, en: { translation: en } },
    lng: browserLanguage(),
    fallbackLng: 'en',
    interpolation: { escapeValue: false },
  });
}

/** Locale tags for Intl formatting (dates in the log, numbers). */
export const LOCALES: Record<UiLanguage, string> = { fi: 'fi-FI', en: 'en-GB' };

/** `t` plus helpers for texts that arrive from main already in both languages. */
export function useI18n() {
  const { t, i18n } = useTranslation();
  const language: UiLanguage = i18n.language === 'fi' ? 'fi' : 'en';
  const pick = (text: Localized) => text[language];
  const formatTime = (iso: string | null | undefined) =>
    iso
      ? new Intl.DateTimeFormat(LOCALES[language], {
          dateStyle: 'short',
          timeStyle: 'medium',
        }).format(new Date(iso))
      : '–';
  /** A calendar date (`2026-03-05`) as a date, without shifting it through a zone. */
  const formatDate = (date: string) =>
    new Intl.DateTimeFormat(LOCALES[language], { dateStyle: 'short', timeZone: 'UTC' }).format(
      new Date(`${date}T00:00:00Z`),
    );
  return { t, i18n, language, pick, formatTime, formatDate };
}
