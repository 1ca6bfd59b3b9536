import {
  createTheme,
  darken,
  DEFAULT_THEME,
  defaultVariantColorsResolver,
  type CSSVariablesResolver,
  type VariantColorsResolver,
} from '@mantine/core';

/** Hues whose dark shades are still too light for white text or text on white (WCAG AA). */
const WARM = new Set(['yellow', 'orange', 'lime']);

/**
 * Mantine's defaults put white text on shade 6 (teal 2.55:1) and shade-6 text on light tints;
 * WCAG 2.1 AA asks 4.5:1 for text. Filled surfaces use shade 9 (warm hues keep a light surface
 * with dark text), light and subtle variants use shade 9 text, or near-black for warm hues.
 */
const variantColorResolver: VariantColorsResolver = (input) => {
  const base = defaultVariantColorsResolver(input);
  const name = input.color ?? input.theme.primaryColor;
  if (!(name in input.theme.colors)) return base;
  const shade = (n: number) => `var(--mantine-color-${name}-${n})`;
  // Hover darkens: the text on it must keep its contrast while the pointer rests there.
  const darker = (n: number) => darken(input.theme.colors[name]![n]!, 0.12);
  const warm = WARM.has(name);
  if (input.variant === 'filled')
    return warm
      ? { ...base, background: shade(4), hover: shade(5), color: 'var(--mantine-color-dark-9)' }
      : { ...base, background: shade(9), hover: darker(9), color: 'var(--mantine-color-white)' };
  const text = warm ? 'var(--mantine-color-dark-8)' : shade(9);
  if (input.variant === 'light')
    return { ...base, background: shade(0), hover: shade(0), color: text, hoverColor: text };
  if (input.variant === 'subtle')
    return { ...base, hover: shade(0), color: text, hoverColor: text };
  return base;
};

export const theme = createTheme({
  primaryColor: 'teal',
  primaryShade: 9,
  defaultRadius: 'md',
  variantColorResolver,
});

/** "Dimmed" text is gray 6 by default (3.3:1 on white): gray 7 reads at 8:1. */
export const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  light: {
    '--mantine-color-dimmed': 'var(--mantine-color-gray-7)',
    '--mantine-color-placeholder': 'var(--mantine-color-gray-7)',
    // What NavLink and other primary-coloured light surfaces use.
    '--mantine-primary-color-light': 'var(--mantine-color-teal-0)',
    '--mantine-primary-color-light-hover': 'var(--mantine-color-teal-0)',
    '--mantine-primary-color-filled-hover': darken(DEFAULT_THEME.colors.teal[9], 0.12),
    '--mantine-primary-color-light-color': 'var(--mantine-color-teal-9)',
  },
  dark: {},
});
