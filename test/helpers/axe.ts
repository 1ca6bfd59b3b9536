/**
 * axe-core (the npm package, injected into the page) over the whole document, WCAG 2.1 A and
 * AA rules: the violations as readable lines, so a failing test says what and where.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright';

const AXE_SOURCE = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
);

interface AxeResult {
  violations: {
    id: string;
    help: string;
    nodes: { target: string[]; failureSummary?: string }[];
  }[];
}

export async function axeViolations(page: Page): Promise<string[]> {
  // Evaluated over the DevTools protocol, which the page's CSP does not govern (no eval in the page).
  if (!(await page.evaluate('typeof window.axe !== "undefined"'))) await page.evaluate(AXE_SOURCE);
  // Colours mid-transition (a dialog fading in) are not what the admin reads: let them settle.
  await page.evaluate(
    `Promise.all(document.getAnimations()
      .filter((a) => a.effect?.getTiming().iterations !== Infinity)
      .map((a) => a.finished.catch(() => undefined)))`,
  );
  const result = (await page.evaluate(
    `axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })`,
  )) as AxeResult;
  return result.violations.map(
    (v) =>
      `${v.id} (${v.help}): ${v.nodes
        .slice(0, 4)
        .map(
          (n) =>
            `${n.target.join(' ')} ${n.failureSummary?.split('\n').slice(1, 2).join('') ?? ''}`,
        )
        .join(' | ')}`,
  );
}

/** What to tab to: a CSS selector, or the element's visible name (its text, label or aria-label). */
export type FocusTarget = string | { name: string };

/** Presses Tab (or Shift+Tab) until the target has the focus; returns how many presses it took. */
export async function tabTo(
  page: Page,
  target: FocusTarget,
  options: { max?: number; back?: boolean } = {},
): Promise<number> {
  const max = options.max ?? 30;
  for (let presses = 0; presses <= max; presses++) {
    const focused = await page.evaluate<boolean>(`(() => {
      const t = ${JSON.stringify(target)};
      const el = document.activeElement;
      if (!el || el === document.body) return false;
      if (typeof t === 'string') return el.matches(t);
      const names = [el.textContent?.trim(), el.getAttribute('aria-label'),
        ...[...(el.labels ?? [])].map((l) => l.textContent?.trim())];
      return names.some((n) => n === t.name);
    })()`);
    if (focused) return presses;
    await page.keyboard.press(options.back ? 'Shift+Tab' : 'Tab');
  }
  throw new Error(
    `${JSON.stringify(target)} not reached in ${max} presses of ${options.back ? 'Shift+Tab' : 'Tab'}`,
  );
}
