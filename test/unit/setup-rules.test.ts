import { describe, expect, it } from 'vitest';
import {
  classifyNetworkFailure,
  networkFailureText,
  probeConnection,
} from '../../main/core/network-errors';
import { afterReport, verifiedBySave } from '../../main/core/service/checklist';
import type { CheckResult } from '../../main/core/setup/check';
import { serviceAccountEmailProblem, testUserProblem } from '../../main/core/setup/entry-rules';
import { defaultSettings } from '../../main/core/store/settings';

const check = (id: string, status: CheckResult['status'], step: CheckResult['step'] = null) =>
  ({
    id,
    status,
    step,
    title: { fi: id, en: id },
    message: { fi: '', en: '' },
    link: null,
    durationMs: 0,
  }) as CheckResult;

describe("the service account's address", () => {
  it.each([
    'severa-sync@kalevala-demo.iam.gserviceaccount.com',
    'sync-account@project.example.com.iam.gserviceaccount.com',
    'my-project@appspot.gserviceaccount.com',
    '123456789-abc@developer.gserviceaccount.com',
  ])('accepts %s', (email) => expect(serviceAccountEmailProblem(email)).toBeNull());

  it.each([
    [
      'severa-sync@kalevala-demo.iam.gserviceacount.com',
      'Did you mean severa-sync@kalevala-demo.iam.gserviceaccount.com?',
    ],
    ['severa-sync@kalevala-demo.gserviceaccount.com', 'does not end in .iam.gserviceaccount.com'],
    ['sync_bot@kalevala-demo.iam.gserviceaccount.com', 'up to 30 characters'],
    ['severa-sync@.iam.gserviceaccount.com', 'lacks the project id'],
    ['severa-sync', 'is not an e-mail address'],
  ])('refuses %s, saying why', (email, why) =>
    expect(serviceAccountEmailProblem(email)?.en).toContain(why),
  );
});

describe('the test user', () => {
  it('must be in the domain (or a subdomain of it)', () => {
    expect(testUserProblem('aino@kalevala.example', 'kalevala.example')).toBeNull();
    expect(testUserProblem('aino@hki.kalevala.example', 'kalevala.example')).toBeNull();
    expect(testUserProblem('aino@gmail.com', 'kalevala.example')?.fi).toContain(
      'ei ole verkkotunnuksessa kalevala.example',
    );
    expect(testUserProblem('aino@evilkalevala.example', 'kalevala.example')).not.toBeNull();
  });
});

describe('network failures', () => {
  const cause = (code: string) => Object.assign(new TypeError('fetch failed'), { cause: { code } });
  it.each([
    ['ENOTFOUND', 'dns', 'did not resolve (DNS)'],
    ['CERT_HAS_EXPIRED', 'tls', 'TLS certificate'],
    ['ECONNREFUSED', 'refused', 'refused the connection'],
    ['UND_ERR_CONNECT_TIMEOUT', 'timeout', 'did not answer in time'],
  ])('%s is %s, with the host named', (code, kind, text) => {
    expect(classifyNetworkFailure(cause(code))).toBe(kind);
    const message = networkFailureText(
      cause(code),
      'Severa',
      'https://api.severa.visma.com/rest-api',
    );
    expect(message.en).toContain('api.severa.visma.com');
    expect(message.en).toContain(text);
    expect(message.fi).toMatch(/^Yhteys Severaan epäonnistui/);
  });
});

describe('the checklist after a Test', () => {
  const ticked = (state: ReturnType<typeof afterReport>) =>
    Object.entries(state.checklist)
      .filter(([, done]) => done)
      .map(([id]) => id)
      .sort();

  it('ticks what passing checks prove and the Test step when green', () => {
    const state = afterReport(
      { checklist: {}, checklistProvedBy: {} },
      [check('google.key', 'pass'), check('google.token', 'pass'), check('severa.scopes', 'pass')],
      true,
    );
    expect(ticked(state)).toEqual([
      'admin.dwd-authorize',
      'gcp.client-id',
      'gcp.domain-wide-delegation',
      'gcp.p12-key',
      'gcp.project',
      'gcp.service-account',
      'severa.api-credentials',
      'severa.test-and-save',
    ]);
    expect(state.checklistProvedBy['admin.dwd-authorize']).toBe('google.token');
    expect(state.checklistProvedBy['severa.test-and-save']).toBe('test');
  });

  it('unticks the step a failure names and what the check proves from it on, never before it', () => {
    const before = afterReport(
      { checklist: {}, checklistProvedBy: {} },
      [check('google.token', 'pass')],
      true,
    );
    const after = afterReport(
      before,
      [check('google.token', 'fail', 'admin.dwd-authorize')],
      false,
    );
    expect(after.checklist['admin.dwd-authorize']).toBe(false);
    expect(after.checklistProvedBy['admin.dwd-authorize']).toBeUndefined();
    expect(after.checklist['gcp.project']).toBe(true);
    expect(after.checklist['severa.test-and-save']).toBe(false);
    const deleted = afterReport(
      before,
      [check('google.token', 'fail', 'gcp.service-account')],
      false,
    );
    expect(deleted.checklist['gcp.service-account']).toBe(false);
    expect(deleted.checklist['admin.dwd-authorize']).toBe(false);
    expect(deleted.checklist['gcp.project']).toBe(true);
  });

  it('a save verifies the steps whose values it holds', () => {
    const settings = defaultSettings();
    settings.google = {
      ...settings.google,
      serviceAccountEmail: 'a@b.iam.gserviceaccount.com',
      clientId: '1',
      domain: 'b.fi',
      testUser: 'x@b.fi',
    };
    expect(verifiedBySave({ google: { serviceAccountEmail: 'a' } }, settings)).toEqual([
      'gcp.service-account',
      'gcp.client-id',
    ]);
    expect(verifiedBySave({ sync: { intervalMinutes: 5 } }, settings)).toEqual(['app.schedule']);
    expect(verifiedBySave({ sync: { windowPastDays: 5 } }, settings)).toEqual([]);
  });
});

describe('the connection probe', () => {
  it('connects without sending anything, and names a refused port', async () => {
    const { createServer } = await import('node:net');
    const received: Buffer[] = [];
    const server = createServer((socket) => socket.on('data', (d) => received.push(d)));
    await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
    const port = (server.address() as { port: number }).port;
    await probeConnection(`http://127.0.0.1:${port}/rest-api`, 2000);
    await new Promise<void>((closed) => server.close(() => closed()));
    expect(received).toEqual([]);
    const refused = await probeConnection(`http://127.0.0.1:${port}/`, 2000).catch((e) => e);
    expect(classifyNetworkFailure(refused)).toBe('refused');
  });
});
