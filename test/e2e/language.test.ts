import { expect, test } from 'playwright/test';
import { startAppUnderTest, type AppUnderTest } from '../helpers/renderer-harness';

/**
 * Finnish when the OS speaks Finnish; a switch to English at once, kept between starts; and
 * back to the OS language from the settings. Texts from main (step titles) follow too.
 */
test.describe('language fi ↔ en (Chromium)', () => {
  test.describe.configure({ mode: 'serial' });
  let app: AppUnderTest;

  test.beforeAll(async ({ browser }) => {
    app = await startAppUnderTest({ browser, systemLanguage: 'fi' });
  });
  test.afterAll(async () => {
    await app?.close();
  });

  const htmlLang = () => app.page.evaluate<string>('document.documentElement.lang');

  test('starts in Finnish when the OS locale is Finnish', async () => {
    const { page } = app;
    await page.getByRole('button', { name: 'Aloita käyttöönotto' }).waitFor();
    expect(await page.getByRole('button', { name: 'Avaa demoyritys' }).isVisible()).toBe(true);
    expect(await htmlLang()).toBe('fi');
  });

  test('switches to English at once and keeps it after a restart of the UI', async () => {
    const { page, service } = app;
    await page.getByText('English', { exact: true }).click();
    await page.getByRole('button', { name: 'Start the set-up' }).waitFor();
    expect(await htmlLang()).toBe('en');
    expect((await service.getState()).app.language).toBe('en');

    await app.ui.reload();
    await page.getByRole('button', { name: 'Start the set-up' }).waitFor();
    await page.getByRole('button', { name: 'Start the set-up' }).click();
    await page.getByRole('heading', { name: 'Set-up', exact: true }).waitFor();
    expect(await page.locator('[data-checklist-step="gcp.project"]').textContent()).toBe(
      'Google Cloud project, Not done',
    );
  });

  test('follows the OS again when the setting says so, step titles from main included', async () => {
    const { page, service } = app;
    await page.locator('[data-nav="settings"]').click();
    await page.getByRole('combobox', { name: 'Language' }).click();
    await page.getByRole('option', { name: 'As the operating system' }).click();
    await page.getByRole('heading', { name: 'Asetukset' }).waitFor();
    expect((await service.getState()).app.language).toBe('system');
    expect(await htmlLang()).toBe('fi');
    await page.locator('[data-nav="wizard"]').click();
    expect(await page.locator('[data-checklist-step="gcp.project"]').textContent()).toBe(
      'Google Cloud -projekti, Ei tehty',
    );
    expect(await page.getByText('Maksullinen Google Workspace').first().isVisible()).toBe(true);
  });
});
