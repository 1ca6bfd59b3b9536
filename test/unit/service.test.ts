import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApiEvents, EventChannel, LogEntryDto, SyncSummaryDto } from '../../preload/api';
import { AppError } from '../../main/core/errors';
import { silentLogger } from '../../main/core/log';
import { createAppService, type AppService } from '../../main/core/service/app-service';
import type { CoreBackends, SyncBackend } from '../../main/core/service/backends';
import { isAllowedExternalUrl } from '../../main/core/service/link-allowlist';
import { MemorySecretStore } from '../../main/core/service/memory-secrets';
import { FLOW_STEPS, NOTE_IDS } from '../../main/core/setup/steps';
import { FileSettingsStore } from '../../main/core/store/settings';

const PEM =
  '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n';
const SEVERA_SECRET = 'severa-secret-6f1c2a9e77';

const summary = (ok = true): SyncSummaryDto => ({
  ok,
  users: 2,
  toGoogle: { created: 3, updated: 0, deleted: 0 },
  toSevera: { created: 1, updated: 0, deleted: 0 },
  conflicts: 0,
  held: 0,
  errors: [],
});

const entry = (id: number, message: string): LogEntryDto => ({
  id,
  time: '2026-03-01T08:00:00.000Z',
  runId: 'r1',
  level: 'info',
  user: 'aino.virtanen@kalevala.example',
  direction: 'toGoogle',
  action: 'create',
  severaGuid: 'g1',
  googleId: 'e1',
  result: 'ok',
  errorType: null,
  message,
  title: 'Sprint review',
  start: '2026-03-05T10:00:00.000Z',
  step: null,
  details: null,
});

/** Backends that behave like the real ones at the seam, without servers. */
function fakeBackends(): CoreBackends & {
  log: LogEntryDto[];
  writes: string[];
  gate: Promise<void>;
} {
  const log: LogEntryDto[] = [];
  const writes: string[] = [];
  const backends = { gate: Promise.resolve() };
  const sync: SyncBackend = {
    run: async (_env, onLogEntry) => {
      writes.push('run-start');
      await backends.gate;
      writes.push('run-end');
      const e = entry(
        log.length + 1,
        `created event for aino.virtanen@kalevala.example, token ya29.abcdefghijkl`,
      );
      log.push(e);
      onLogEntry(e);
      return summary();
    },
    held: async () => [],
    resolveHeld: async () => {
      writes.push('held');
      return summary();
    },
    userStates: async () => [],
    reset: async () => void (writes.push('reset'), log.splice(0)),
    queryLog: async (filter) => log.slice(0, filter.limit ?? log.length),
    quarantined: async () => [],
    retryQuarantined: async () => 0,
    close: async () => undefined,
  };
  const core: CoreBackends = {
    checkSeveraCredentials: async (credentials) => {
      if (credentials.clientSecret !== SEVERA_SECRET)
        throw new AppError('severa-authentication-required', 'severa.api-credentials', {
          fi: 'Severa ei hyväksynyt tunnuksia. Severa: "Invalid client credentials"',
          en: 'Severa did not accept the credentials. Severa: "Invalid client credentials"',
        });
      return { scopes: [] };
    },
    importGoogleKey: async (request, secrets, settings) => {
      if (Buffer.from(request.bytes).toString() !== 'p12-bytes')
        throw new AppError('key-not-pkcs12', 'gcp.p12-key', {
          fi: 'Ei P12-tiedosto.',
          en: 'Not a P12 file.',
        });
      await secrets.set('google-private-key', PEM);
      settings.update({
        google: {
          serviceAccountEmail: 'sync@demo.iam.gserviceaccount.com',
          clientId: '1234567890',
          keyFingerprint: 'ab12',
          keyKind: 'p12',
        },
      });
      return { warnings: [] };
    },
    runDiagnostics: async (_env, onResult) => {
      const checks = [
        {
          id: 'google.key',
          title: { fi: 'Avain', en: 'Key' },
          status: 'pass' as const,
          step: null,
          message: { fi: 'ok', en: 'ok' },
          link: null,
          durationMs: 1,
        },
        {
          id: 'google.token',
          title: { fi: 'Tunnus', en: 'Token' },
          status: 'fail' as const,
          step: 'admin.dwd-authorize' as const,
          message: { fi: `virhe ${PEM}`, en: `unauthorized_client ${PEM}` },
          link: null,
          durationMs: 1,
        },
      ];
      checks.forEach((c, i) => onResult(c, i, checks.length));
      return { ok: false, checks };
    },
    listUsers: async () => [],
    listActivityTypes: async () => [],
    openSync: () => sync,
    startDemo: async () => {
      throw new Error('no sandboxes in unit tests');
    },
  };
  return Object.assign(backends, core, { log, writes });
}

describe('app service', () => {
  let dir: string;
  let service: AppService;
  let backends: ReturnType<typeof fakeBackends>;
  let events: { event: EventChannel; payload: unknown }[];
  let opened: string[];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'service-unit-'));
    backends = fakeBackends();
    events = [];
    opened = [];
    service = createAppService({
      profileDir: dir,
      secrets: new MemorySecretStore(),
      settings: new FileSettingsStore(join(dir, 'settings.json')),
      logger: silentLogger,
      version: '0.1.0',
      systemLanguage: 'fi',
      openExternal: (url) => void opened.push(url),
      onEvent: <E extends EventChannel>(event: E, payload: ApiEvents[E]) =>
        void events.push({ event, payload }),
      backends,
    });
  });
  afterEach(async () => {
    await service.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('dispatch rejects bad input with a clear Result error for Result channels', async () => {
    const bad = (await service.dispatch('updateSettings', [{ sync: { intervalMinutes: 0 } }])) as {
      ok: false;
      error: { code: string; message: { fi: string; en: string } };
    };
    expect(bad.ok).toBe(false);
    expect(bad.error.code).toBe('invalid-request');
    expect(bad.error.message.en).toMatch(
      /^Invalid request \(updateSettings\): 0\.sync\.intervalMinutes: /,
    );
    expect(bad.error.message.fi).toMatch(/^Virheellinen pyyntö \(updateSettings\)/);

    const unknownKey = (await service.dispatch('updateSettings', [
      { google: { privateKey: 'x' } },
    ])) as { ok: boolean; error: { message: { en: string } } };
    expect(unknownKey.ok).toBe(false);
    expect(unknownKey.error.message.en).toContain('0.google');

    const tooLong = (await service.dispatch('setSeveraCredentials', [
      { clientId: 'c', clientSecret: 'x'.repeat(501) },
    ])) as { ok: boolean; error: { message: { en: string } } };
    expect(tooLong.ok).toBe(false);
    expect(tooLong.error.message.en).toContain('0.clientSecret');
    expect(tooLong.error.message.en).not.toContain('xxxxxxxx');
  });

  it('dispatch rejects bad input on the other channels and unknown channels by throwing', async () => {
    await expect(service.dispatch('openExternal', ['not a url'])).rejects.toThrow(
      /Invalid request \(openExternal\)/,
    );
    await expect(service.dispatch('getChecklist', 'not-an-array')).rejects.toThrow(
      /Invalid request \(getChecklist\)/,
    );
    await expect(service.dispatch('setChecklistStep', ['gcp.project'])).rejects.toThrow(
      /Invalid request/,
    );
    await expect(service.dispatch('__proto__', [])).rejects.toThrow(/unknown channel/);
    await expect(service.dispatch('setChecklistStep', ['no.such-step', true])).rejects.toThrow(
      /unknown step/,
    );
  });

  it('dispatch calls the method with parsed (normalised) arguments', async () => {
    const result = (await service.dispatch('updateSettings', [
      { google: { testUser: '  Aino.Virtanen@Kalevala.EXAMPLE ' }, sync: { intervalMinutes: 30 } },
    ])) as {
      ok: true;
      value: { google: { testUser: string }; sync: { intervalMinutes: number } };
    };
    expect(result.ok).toBe(true);
    expect(result.value.google.testUser).toBe('aino.virtanen@kalevala.example');
    expect(result.value.sync.intervalMinutes).toBe(30);
    expect(events.some((e) => e.event === 'state-changed')).toBe(true);
  });

  it('getState never contains the key or the Severa secret, and says they are stored', async () => {
    const imported = (await service.dispatch('importGoogleKey', [
      { fileName: 'key.p12', base64: Buffer.from('p12-bytes').toString('base64') },
    ])) as { ok: boolean };
    expect(imported.ok).toBe(true);
    expect(
      (
        (await service.dispatch('setSeveraCredentials', [
          { clientId: 'client-1', clientSecret: SEVERA_SECRET },
        ])) as { ok: boolean }
      ).ok,
    ).toBe(true);
    const state = await service.getState();
    expect(state.google).toMatchObject({
      keyStored: true,
      keyFingerprint: 'ab12',
      clientId: '1234567890',
    });
    expect(state.google.dwdLink).toContain('clientIdToAdd=1234567890');
    expect(state.severa).toMatchObject({ clientId: 'client-1', secretStored: true });
    expect(state.app.systemLanguage).toBe('fi');
    const text = JSON.stringify([state, events]);
    expect(text).not.toContain('PRIVATE KEY');
    expect(text).not.toContain('MIIEvQ');
    expect(text).not.toContain(SEVERA_SECRET);
  });

  it('a failed import comes back as the AppError with its step and link', async () => {
    const result = (await service.dispatch('importGoogleKey', [
      { fileName: 'x.p12', base64: Buffer.from('junk').toString('base64') },
    ])) as {
      ok: false;
      error: { code: string; step: string; link: string };
    };
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'key-not-pkcs12', step: 'gcp.p12-key' },
    });
    expect(result.error.link).toContain('console.cloud.google.com/iam-admin/serviceaccounts');
  });

  it('diagnostics stream progress, scrub messages and tick the steps a passing check proves', async () => {
    const report = await service.runDiagnostics();
    expect(report.ok).toBe(false);
    expect(JSON.stringify(report)).not.toContain('MIIEvQ');
    const progress = events.filter((e) => e.event === 'diagnostics-progress');
    expect(progress.map((e) => (e.payload as ApiEvents['diagnostics-progress']).index)).toEqual([
      0, 1,
    ]);
    expect(JSON.stringify(progress)).not.toContain('MIIEvQ');
    const checklist = await service.getChecklist();
    expect(checklist.map((s) => s.id)).toEqual([...FLOW_STEPS, ...NOTE_IDS]);
    expect(checklist.filter((s) => s.kind === 'step')).toHaveLength(FLOW_STEPS.length);
    expect(checklist.find((s) => s.id === 'gcp.p12-key')).toMatchObject({
      done: true,
      provedBy: 'google.key',
    });
    expect(checklist.find((s) => s.id === 'admin.dwd-authorize')).toMatchObject({
      done: false,
      provedBy: null,
    });
    const after = await service.setChecklistStep('admin.dwd-authorize', true);
    expect(after.find((s) => s.id === 'admin.dwd-authorize')).toMatchObject({
      done: true,
      provedBy: null,
    });
    expect(after.every((s) => s.title.fi && s.title.en)).toBe(true);
  });

  it('Sync now runs the engine, streams log entries and records the last run; export is scrubbed and masked', async () => {
    const result = await service.syncNow();
    expect(result).toEqual({ ok: true, value: summary() });
    expect(events.filter((e) => e.event === 'log-entry')).toHaveLength(1);
    const status = await service.getStatus();
    expect(status.lastRun?.summary).toEqual(summary());
    expect(status.state).toBe('idle');
    const exported = await service.exportLog({});
    // The admin's own clock: local date and time, not UTC.
    const now = new Date();
    const two = (n: number) => String(n).padStart(2, '0');
    expect(exported.fileName).toMatch(
      new RegExp(
        `^severa-calendar-sync-log-${now.getFullYear()}-${two(now.getMonth() + 1)}-${two(now.getDate())}-\\d{4}\\.jsonl$`,
      ),
    );
    expect(exported.count).toBe(1);
    expect(exported.content).toContain('a***@kalevala.example');
    expect(exported.content).toContain('"title":"S***"');
    expect(exported.content).not.toContain('Sprint review');
    expect(exported.content).not.toContain('aino.virtanen');
    expect(exported.content).not.toContain('ya29.abcdefghijkl');
  });

  it("refuses wrong Severa credentials with Severa's answer, stores nothing, ticks nothing", async () => {
    const refused = await service.setSeveraCredentials({
      clientId: 'c1',
      clientSecret: 'wrong-secret',
    });
    expect(refused).toMatchObject({
      ok: false,
      error: {
        step: 'severa.api-credentials',
        message: { en: expect.stringContaining('Invalid client credentials') },
      },
    });
    expect((await service.getState()).severa).toMatchObject({
      clientId: null,
      secretStored: false,
    });
    const accepted = await service.setSeveraCredentials({
      clientId: 'c1',
      clientSecret: SEVERA_SECRET,
    });
    expect(accepted.ok).toBe(true);
    const step = (await service.getChecklist()).find((s) => s.id === 'severa.api-credentials');
    expect(step).toMatchObject({ done: true, provedBy: 'severa-token' });
  });

  it('refuses a mistyped service-account e-mail and a test user outside the domain, by the rule', async () => {
    const typo = await service.updateSettings({
      google: { serviceAccountEmail: 'severa-sync@kalevala-demo.iam.gserviceacount.com' },
    });
    expect(typo).toMatchObject({ ok: false, error: { step: 'gcp.service-account' } });
    if (typo.ok) throw new Error('accepted');
    expect(typo.error.message.en).toContain('does not end in .iam.gserviceaccount.com');
    expect(typo.error.message.en).toContain('severa-sync@kalevala-demo.iam.gserviceaccount.com?');
    expect((await service.getState()).google.serviceAccountEmail).toBeNull();

    const outside = await service.updateSettings({
      google: { domain: 'kalevala.example', testUser: 'aino@gmail.com' },
    });
    expect(outside).toMatchObject({ ok: false, error: { step: 'gcp.client-id' } });
    if (outside.ok) throw new Error('accepted');
    expect(outside.error.message.en).toBe(
      'The test user aino@gmail.com is not in the domain kalevala.example: choose a user of your own Workspace domain whose calendar the Test may read.',
    );
    const good = await service.updateSettings({
      google: {
        serviceAccountEmail: 'severa-sync@kalevala-demo.iam.gserviceaccount.com',
        clientId: '1234',
        domain: 'kalevala.example',
        testUser: 'aino@kalevala.example',
      },
    });
    expect(good.ok).toBe(true);
    const steps = await service.getChecklist();
    expect(steps.find((s) => s.id === 'gcp.service-account')?.done).toBe(true);
    expect(steps.find((s) => s.id === 'gcp.client-id')?.done).toBe(true);
  });

  it('held decisions and the reset wait for a run in progress (one writer of the sync state)', async () => {
    let release = () => undefined as void;
    backends.gate = new Promise<void>((resolve) => (release = resolve));
    const run = service.syncNow();
    const held = service.resolveHeld('aino.virtanen@kalevala.example', 'apply');
    const reset = service.resetSyncState();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(backends.writes).toEqual(['run-start']);
    release();
    await Promise.all([run, held, reset]);
    expect(backends.writes).toEqual(['run-start', 'run-end', 'held', 'reset']);
  });

  it('opens only allowlisted links', async () => {
    expect(await service.openExternal('https://admin.google.com/ac/owl/domainwidedelegation')).toBe(
      true,
    );
    expect(await service.openExternal('https://evil.example/')).toBe(false);
    expect(opened).toEqual(['https://admin.google.com/ac/owl/domainwidedelegation']);
  });
});

describe('link allowlist', () => {
  it.each([
    'https://console.cloud.google.com/apis/library/calendar-json.googleapis.com?project=p',
    'https://console.developers.google.com/apis/api/calendar-json.googleapis.com/overview?project=1',
    'https://admin.google.com/ac/owl/domainwidedelegation?clientIdToAdd=1',
    'https://support.google.com/a/answer/162106',
    'https://severa.visma.com/',
    'https://support.severa.com/hc/fi',
    'https://community.visma.com/t5/Severa/ct-p/Severa',
  ])('allows %s', (url) => expect(isAllowedExternalUrl(url)).toBe(true));

  it.each([
    'http://admin.google.com/',
    'https://admin.google.com.evil.example/',
    'https://admin.google.com@evil.example/',
    'https://user:pw@admin.google.com/',
    'https://admin.google.com:8443/',
    'https://evilvisma.com/',
    'https://visma.com.evil.example/',
    'https://.visma.com/',
    'file:///etc/passwd',
    'javascript:alert(1)',
    'https://google.com/',
    'https://mail.google.com/',
    'not a url',
    '',
  ])('refuses %s', (url) => expect(isAllowedExternalUrl(url)).toBe(false));
});
