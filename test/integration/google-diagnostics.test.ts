import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { parseGoogleKey } from '../../main/core/google/key-import';
import { silentLogger } from '../../main/core/log';
import { startGoogleSandbox } from '../../main/core/sandbox/google-sandbox';
import type { CheckResult, DiagnosticsReport } from '../../main/core/setup/check';
import { runDiagnostics } from '../../main/core/setup/diagnostics';
import { googleChecks } from '../../main/core/setup/google-checks';
import { GOOGLE_CALENDAR_SCOPE } from '../../main/core/setup/steps';
import { defaultSettings, type Settings } from '../../main/core/store/settings';
import {
  CAROL,
  generateKeyPair,
  MemorySecretStore,
  TEST_CLIENT_ID,
  TEST_PROJECT_NUMBER,
  TEST_SERVICE_ACCOUNT,
  type TestGoogle,
  sandboxPerTest,
} from '../helpers/google';

const { start: sandbox, track } = sandboxPerTest();

async function diagnose(
  google: TestGoogle,
  overrides: Partial<Settings['google']> = {},
  withKey = true,
): Promise<DiagnosticsReport> {
  const secrets = new MemorySecretStore();
  if (withKey) await secrets.set('google-private-key', google.key.privateKeyPem);
  const settings: Settings = { ...defaultSettings(), google: { ...google.settings, ...overrides } };
  return runDiagnostics(googleChecks, { settings, secrets, logger: silentLogger });
}

const check = (report: DiagnosticsReport, id: string): CheckResult => {
  const found = report.checks.find((c) => c.id === id);
  if (!found) throw new Error(`no check ${id}`);
  return found;
};

const statuses = (report: DiagnosticsReport) =>
  Object.fromEntries(report.checks.map((c) => [c.id, c.status]));

describe('Google diagnostics against the sandbox, through the real Calendar client', () => {
  test('the checks run in the documented order', () => {
    expect(googleChecks.map((c) => c.id)).toEqual([
      'google.network',
      'google.key',
      'google.clock',
      'google.token',
      'google.calendar-api',
      'google.calendar-access',
    ]);
  });

  test('everything passes on the seeded demo company, with the key from its P12', async () => {
    const demoSandbox = await startGoogleSandbox({ seedDemo: true });
    track(demoSandbox);
    const demo = demoSandbox.demo;
    if (!demo) throw new Error('no demo');
    const parsed = parseGoogleKey({ bytes: readFileSync(demo.p12Path) });
    expect(parsed.clientId).toBe(demo.clientId);
    const secrets = new MemorySecretStore();
    await secrets.set('google-private-key', parsed.privateKeyPem);
    const base = defaultSettings();
    const settings: Settings = {
      ...base,
      google: {
        ...base.google,
        serviceAccountEmail: demo.serviceAccountEmail,
        clientId: demo.clientId,
        projectId: demo.projectId,
        domain: demo.domain,
        testUser: demo.testUser,
        apiRoot: demoSandbox.apiRoot,
        tokenUrl: demoSandbox.tokenUrl,
      },
    };
    const report = await runDiagnostics(googleChecks, { settings, secrets, logger: silentLogger });
    expect(statuses(report)).toEqual({
      'google.network': 'pass',
      'google.key': 'pass',
      'google.clock': 'pass',
      'google.token': 'pass',
      'google.calendar-api': 'pass',
      'google.calendar-access': 'pass',
    });
    expect(report.ok).toBe(true);
    expect(check(report, 'google.calendar-access').message.en).toMatch(/Europe\/Helsinki/);
  });

  test('no key in the keychain → google.key fails at gcp.p12-key and the Google calls are skipped', async () => {
    const report = await diagnose(await sandbox(), {}, false);
    expect(check(report, 'google.key')).toMatchObject({ status: 'fail', step: 'gcp.p12-key' });
    expect(check(report, 'google.token').status).toBe('skip');
    expect(check(report, 'google.calendar-api').status).toBe('skip');
    expect(check(report, 'google.calendar-access').status).toBe('skip');
  });

  test('no delegation entry → google.token fails at admin.dwd-authorize with the pre-filled link and the 24 h note', async () => {
    const google = await sandbox();
    google.sandbox.control.revoke(TEST_CLIENT_ID);
    const report = await diagnose(google);
    const token = check(report, 'google.token');
    expect(token).toMatchObject({ status: 'fail', step: 'admin.dwd-authorize' });
    expect(token.link).toBe(
      `https://admin.google.com/ac/owl/domainwidedelegation?clientScopeToAdd=${GOOGLE_CALENDAR_SCOPE}&clientIdToAdd=${TEST_CLIENT_ID}&overwriteClientId=true&dn=example.test`,
    );
    expect(token.message.en).toMatch(/24 hours/);
    expect(token.message.fi).toMatch(/24 tuntia/);
    expect(token.details).toMatchObject({ status: 401, reason: 'unauthorized_client' });
    expect(check(report, 'google.calendar-api').status).toBe('skip');
    expect(report.ok).toBe(false);
  });

  test('delegation for the wrong scope → google.token fails at admin.dwd-authorize', async () => {
    const google = await sandbox();
    google.sandbox.control.authorize(TEST_CLIENT_ID, [
      'https://www.googleapis.com/auth/calendar.readonly',
    ]);
    const token = check(await diagnose(google), 'google.token');
    expect(token).toMatchObject({ status: 'fail', step: 'admin.dwd-authorize' });
    expect(token.link).toContain(`clientIdToAdd=${TEST_CLIENT_ID}`);
  });

  test('a test user Google does not know → google.token fails at pre.same-email', async () => {
    const token = check(
      await diagnose(await sandbox(), { testUser: 'nobody@example.test' }),
      'google.token',
    );
    expect(token).toMatchObject({ status: 'fail', step: 'pre.same-email' });
    expect(token.details).toMatchObject({
      status: 400,
      reason: 'invalid_grant',
      googleMessage: 'invalid_grant: Invalid email or User ID',
    });
  });

  test('a deleted (rotated) key → google.token fails at gcp.p12-key with "Invalid JWT Signature."', async () => {
    const google = await sandbox();
    google.sandbox.control.registerServiceAccount(
      TEST_SERVICE_ACCOUNT,
      TEST_CLIENT_ID,
      generateKeyPair().publicKeyPem,
    );
    const token = check(await diagnose(google), 'google.token');
    expect(token).toMatchObject({ status: 'fail', step: 'gcp.p12-key' });
    expect(token.details).toMatchObject({ googleMessage: 'invalid_grant: Invalid JWT Signature.' });
  });

  test('a deleted service account → google.token fails at gcp.service-account', async () => {
    const google = await sandbox();
    google.sandbox.control.registerServiceAccount(
      TEST_SERVICE_ACCOUNT,
      TEST_CLIENT_ID,
      google.key.publicKeyPem,
      { deleted: true },
    );
    const token = check(await diagnose(google), 'google.token');
    expect(token).toMatchObject({ status: 'fail', step: 'gcp.service-account' });
    expect(token.details).toMatchObject({ status: 401, reason: 'deleted_client' });
  });

  test('a service-account address Google does not know → google.token fails at gcp.service-account', async () => {
    const token = check(
      await diagnose(await sandbox(), {
        serviceAccountEmail: 'typo@test-project.iam.gserviceaccount.com',
      }),
      'google.token',
    );
    expect(token).toMatchObject({ status: 'fail', step: 'gcp.service-account' });
    expect(token.details).toMatchObject({
      status: 400,
      googleMessage: 'invalid_grant: Invalid grant: account not found',
    });
  });

  test('a skewed clock → google.clock fails; the token still comes because the client corrects from Date', async () => {
    const google = await sandbox();
    google.sandbox.control.setClockOffsetMs(-10 * 60_000);
    const report = await diagnose(google);
    const clock = check(report, 'google.clock');
    expect(clock).toMatchObject({ status: 'fail', step: null });
    expect(clock.message.en).toMatch(/ahead of Google's/);
    expect(Math.abs((clock.details as { offsetMs: number }).offsetMs + 600_000)).toBeLessThan(
      3_000,
    );
    expect(check(report, 'google.token').status).toBe('pass');
    expect(check(report, 'google.calendar-access').status).toBe('pass');
  });

  test('Calendar API disabled → google.calendar-api fails at gcp.enable-calendar-api with the Cloud Console link', async () => {
    const google = await sandbox();
    google.sandbox.control.setApiEnabled(false);
    const report = await diagnose(google);
    expect(check(report, 'google.token').status).toBe('pass');
    const api = check(report, 'google.calendar-api');
    expect(api).toMatchObject({ status: 'fail', step: 'gcp.enable-calendar-api' });
    expect(api.link).toBe(
      'https://console.cloud.google.com/apis/library/calendar-json.googleapis.com?project=test-project',
    );
    expect(api.message.en).toContain(TEST_PROJECT_NUMBER);
    expect(api.details).toMatchObject({ status: 403, reason: 'accessNotConfigured' });
    expect(check(report, 'google.calendar-access').status).toBe('skip');
  });

  test('Calendar API disabled and no project id → the link is the API overview for the project number', async () => {
    const google = await sandbox();
    google.sandbox.control.setApiEnabled(false);
    const api = check(await diagnose(google, { projectId: null }), 'google.calendar-api');
    expect(api.link).toBe(
      `https://console.developers.google.com/apis/api/calendar-json.googleapis.com/overview?project=${TEST_PROJECT_NUMBER}`,
    );
  });

  test('a test user without Calendar → google.calendar-access fails at pre.workspace-licence', async () => {
    const report = await diagnose(await sandbox(), { testUser: CAROL });
    expect(check(report, 'google.token').status).toBe('pass');
    expect(check(report, 'google.calendar-api').status).toBe('pass');
    const access = check(report, 'google.calendar-access');
    expect(access).toMatchObject({
      status: 'fail',
      step: 'pre.workspace-licence',
      link: 'https://admin.google.com/ac/billing/subscriptions',
    });
    expect(access.details).toMatchObject({ status: 403, reason: 'notACalendarUser' });
  });

  test('Google unreachable → one network check names the address and why, on its own step', async () => {
    const google = await sandbox();
    const closed = await startGoogleSandbox();
    await closed.close();
    const report = await diagnose(google, { apiRoot: closed.apiRoot, tokenUrl: closed.tokenUrl });
    const host = new URL(closed.apiRoot).host;
    expect(check(report, 'google.network')).toMatchObject({
      status: 'fail',
      step: 'pre.network',
      link: null,
      message: {
        en: `Could not reach Google: ${host} refused the connection. Check the address and the firewall.`,
      },
    });
    expect(check(report, 'google.clock').status).toBe('skip');
    // A call that needs the network fails with the same words and step, never a console step.
    expect(check(report, 'google.token')).toMatchObject({ status: 'fail', step: 'pre.network' });
    expect(check(report, 'google.token').message.en).toMatch(
      /^Could not reach Google: .* refused the connection/,
    );
    expect(check(report, 'google.calendar-api').status).toBe('skip');
  });

  test('no secret reaches a check result', async () => {
    const google = await sandbox();
    google.sandbox.control.revoke(TEST_CLIENT_ID);
    const text = JSON.stringify(await diagnose(google));
    expect(text).not.toMatch(/PRIVATE KEY|ya29\.|assertion/);
    for (const line of google.key.privateKeyPem.split(/\r?\n/).filter((l) => l.length > 40))
      expect(text).not.toContain(line);
  });
});
