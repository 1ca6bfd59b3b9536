import { expect, test } from 'playwright/test';
import { startAppUnderTest, type AppUnderTest } from '../helpers/renderer-harness';

/**
 * Values are checked where they are typed: Severa's own answer to wrong credentials, Google's
 * form of a service account's address, a test user outside the domain. Nothing refused is kept.
 */
test.describe('refused at entry (Chromium)', () => {
  test.describe.configure({ mode: 'serial' });
  let app: AppUnderTest;

  test.beforeAll(async ({ browser }) => {
    app = await startAppUnderTest({ browser, systemLanguage: 'en' });
    await app.service.updateSettings({
      google: { apiRoot: app.google.apiRoot, tokenUrl: app.google.tokenUrl },
      severa: { apiRoot: app.severa.apiRoot },
    });
    await app.ui.reload();
  });
  test.afterAll(async () => {
    await app?.close();
  });

  const openStep = async (id: string) => {
    await app.page.locator(`[data-checklist-step="${id}"]`).click();
    await app.page.locator(`[data-testid="step-detail"][data-step="${id}"]`).waitFor();
  };
  const alertText = () => app.page.getByRole('alert').first().textContent();

  test("refuses wrong Severa credentials with Severa's own answer and keeps nothing", async () => {
    const { page, service, severa } = app;
    await page.getByRole('button', { name: 'Start the set-up' }).click();
    await openStep('severa.api-credentials');
    await page.getByLabel('Client id').fill(severa.demo!.clientId);
    await page.getByLabel('Client secret').fill('not-the-secret');
    await page.getByRole('button', { name: 'Check with Severa and save' }).click();
    await page.getByRole('alert').waitFor();
    // The sandbox answers as Severa does: 401 AuthenticationRequired, "Invalid client credentials."
    expect(await alertText()).toContain('Severa: "Invalid client credentials."');
    expect(await alertText()).toContain('did not accept the REST API credentials');
    expect((await service.getState()).severa).toMatchObject({
      clientId: null,
      secretStored: false,
    });
    expect(await page.getByTestId('secret-stored').count()).toBe(0);
    const step = (await service.getChecklist()).find((s) => s.id === 'severa.api-credentials');
    expect(step?.done).toBe(false);
  });

  test('refuses a service-account address with a typo in its fixed ending, naming the fix', async () => {
    const { page, service } = app;
    await openStep('gcp.service-account');
    await page
      .locator('[data-field="serviceAccountEmail"]')
      .fill('severa-sync@kalevala-demo.iam.gserviceacount.com');
    await page.getByRole('button', { name: 'Save and continue' }).click();
    await page.getByRole('alert').waitFor();
    expect(await alertText()).toContain(
      "does not end in .iam.gserviceaccount.com, the ending of Google's service accounts. Did you mean severa-sync@kalevala-demo.iam.gserviceaccount.com?",
    );
    expect((await service.getState()).google.serviceAccountEmail).toBeNull();
    // Still on the same step: a refused save does not move on.
    expect(await page.getByTestId('step-detail').getAttribute('data-step')).toBe(
      'gcp.service-account',
    );
  });

  test('refuses a test user outside the Workspace domain, by the rule', async () => {
    const { page, service } = app;
    await openStep('gcp.client-id');
    await page.locator('[data-field="domain"]').fill('kalevala.example');
    await page.locator('[data-field="testUser"]').fill('aino.virtanen@gmail.com');
    await page.getByRole('button', { name: 'Save and continue' }).click();
    await page.getByRole('alert').waitFor();
    expect(await alertText()).toContain(
      'The test user aino.virtanen@gmail.com is not in the domain kalevala.example',
    );
    expect((await service.getState()).google).toMatchObject({ domain: null, testUser: null });
  });

  test('fills the service account from a JSON key and says so', async () => {
    const { page } = app;
    await openStep('gcp.p12-key');
    const key = JSON.stringify({
      type: 'service_account',
      client_email: 'from-json@kalevala-demo.iam.gserviceaccount.com',
      client_id: '1',
      private_key: 'not a key',
    });
    await page.locator('input[type=file]').setInputFiles({
      name: 'key.json',
      mimeType: 'application/json',
      buffer: Buffer.from(key),
    });
    await expect
      .poll(() => page.locator('[data-field="serviceAccountEmail"]').inputValue())
      .toBe('from-json@kalevala-demo.iam.gserviceaccount.com');
    expect(await page.getByText('From the JSON key').count()).toBe(1);
  });
});
