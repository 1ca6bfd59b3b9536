/** A user-facing text in both languages the product speaks. */
export interface Localized {
  fi: string;
  en: string;
}

export type Language = keyof Localized;

export const localized = (fi: string, en: string): Localized => ({ fi, en });
