import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiEvents, EventChannel, Result } from '../../preload/api';
import { silentLogger } from '../../main/core/log';
import { startGoogleSandbox, type GoogleSandbox } from '../../main/core/sandbox/google-sandbox';
import { startSeveraSandbox, type SeveraSandbox } from '../../main/core/sandbox/severa-sandbox';
import { DEMO_TEST_USER } from '../../main/core/sandbox/demo-company';
import {
  createAppService,
  demoActivityTypeChoice,
  type AppService,
} from '../../main/core/service/app-service';
import { coreBackends } from '../../main/core/service/core-backends';
import { MemorySecretStore } from '../../main/core/service/memory-secrets';
import { profilePaths } from '../../main/core/store/profile';
import { FileSettingsStore } from '../../main/core/store/settings';
import { SyncState } from '../../main/core/sync/state';

/**
 * The service over both sandboxes and the real core (key import, clients, diagnostics, engine),
 * driven the way the renderer drives it: through `dispatch` with raw arguments.
 */
interface Recorded {
  event: EventChannel;
  payload: unknown;
}

function newService(dir: string, events: Recorded[]): AppService {
  return createAppService({
    profileDir: dir,
    secrets: new MemorySecretStore(),
    settings: new FileSettingsStore(join(dir, 'settings.json')),
    logger: silentLogger,
    version: '0.1.0-test',
    systemLanguage: 'en',
    openExternal: () => undefined,
    onEvent: <E extends EventChannel>(event: E, payload: ApiEvents[E]) =>
      void events.push({ event, payload }),
    backends: coreBackends,
  });
}

const value = <T>(result: unknown): T => {
  const r = result as Result<T>;
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message.en}`);
  return r.value;
};

describe('app service over both sandboxes', () => {
  let google: GoogleSandbox;
  let severa: SeveraSandbox;
  let dir: string;
  let service: AppService;
  const events: Recorded[] = [];
  let p12: Buffer;

  beforeAll(async () => {
    [google, severa] = await Promise.all([
      startGoogleSandbox({ seedDemo: true }),
      startSeveraSandbox({ seedDemo: true, requestsPerSecond: 50 }),
    ]);
    dir = mkdtempSync(join(tmpdir(), 'service-int-'));
    // Severa's real limit is 10 requests/s; the sandbox and the client agree on 50 to keep this quick.
    new FileSettingsStore(join(dir, 'settings.json')).update({ severa: { requestsPerSecond: 50 } });
    service = newService(dir, events);
    p12 = readFileSync(google.demo!.p12Path);
  });

  afterAll(async () => {
    await service?.close();
    await Promise.all([google?.close(), severa?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('is configured through dispatch: endpoints, the key, the Severa credentials, activity types', async () => {
    const demo = google.demo!;
    value(
      await service.dispatch('updateSettings', [
        {
          google: {
            apiRoot: google.apiRoot,
            tokenUrl: google.tokenUrl,
            domain: demo.domain,
            testUser: DEMO_TEST_USER,
          },
          severa: { apiRoot: severa.apiRoot },
        },
      ]),
    );
    const imported = value<{ warnings: unknown[] }>(
      await service.dispatch('importGoogleKey', [
        {
          fileName: 'demo.p12',
          base64: p12.toString('base64'),
          password: demo.p12Password,
          serviceAccountEmail: demo.serviceAccountEmail,
        },
      ]),
    );
    expect(imported.warnings).toEqual([]);
    value(
      await service.dispatch('setSeveraCredentials', [
        { clientId: severa.demo!.clientId, clientSecret: severa.demo!.clientSecret },
      ]),
    );
    const types = value<Parameters<typeof demoActivityTypeChoice>[0]>(
      await service.dispatch('listActivityTypes', []),
    );
    expect(types.map((t) => t.category)).toEqual(
      expect.arrayContaining(['CalendarEntry', 'Personal']),
    );
    value(await service.dispatch('updateSettings', [{ severa: demoActivityTypeChoice(types) }]));

    const state = await service.getState();
    expect(state.google).toMatchObject({
      keyStored: true,
      keyKind: 'p12',
      clientId: demo.clientId,
      serviceAccountEmail: demo.serviceAccountEmail,
    });
    expect(state.severa.secretStored).toBe(true);
    expect(state.nonRealEndpoints).toHaveLength(3);
    const text = JSON.stringify([state, events]);
    expect(text).not.toContain('PRIVATE KEY');
    expect(text).not.toContain(severa.demo!.clientSecret);
    // Both sides are configured now, so background sync is scheduled.
    expect(service.schedulerStatus().nextRunAt).not.toBeNull();
  });

  it('diagnostics all pass, stream progress and tick the steps they prove', async () => {
    const report = await service.runDiagnostics();
    const failed = report.checks.filter((c) => c.status === 'fail');
    expect(failed, JSON.stringify(failed)).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.checks.map((c) => c.id)).toEqual(
      expect.arrayContaining([
        'google.token',
        'google.calendar-api',
        'severa.token',
        'severa.users',
      ]),
    );
    const progress = events
      .filter((e) => e.event === 'diagnostics-progress')
      .map((e) => e.payload as ApiEvents['diagnostics-progress']);
    expect(progress.map((p) => p.index)).toEqual(report.checks.map((_, i) => i));
    const checklist = await service.getChecklist();
    const done = (id: string) => checklist.find((s) => s.id === id);
    expect(done('admin.dwd-authorize')).toMatchObject({ done: true, provedBy: 'google.token' });
    expect(done('severa.api-credentials')).toMatchObject({ done: true, provedBy: 'severa.scopes' });
    expect(done('severa.test-and-save')).toMatchObject({ done: true, provedBy: 'test' });
    expect(done('gcp.enable-calendar-api')?.done).toBe(true);
  });

  it('lists Severa users with their Google match', async () => {
    const users = value<{ email: string | null; match: string; step: string | null }[]>(
      await service.dispatch('listUsers', []),
    );
    expect(users.find((u) => u.email === DEMO_TEST_USER)?.match).toBe('ok');
    expect(users.find((u) => u.email === 'lemmiki.laine@kalevala.example')).toMatchObject({
      match: 'no-google-account',
      step: 'pre.same-email',
    });
  });

  it('Sync now creates items on both sides, streams log entries, and a second run changes nothing', async () => {
    const before = google.control.listAll(DEMO_TEST_USER).length;
    const summary = value<{
      ok: boolean;
      toGoogle: { created: number };
      toSevera: { created: number };
    }>(await service.dispatch('syncNow', []));
    expect(summary.toGoogle.created).toBeGreaterThan(0);
    expect(summary.toSevera.created).toBeGreaterThan(0);
    expect(google.control.listAll(DEMO_TEST_USER).length).toBeGreaterThan(before);
    const live = events.filter((e) => e.event === 'log-entry');
    expect(live.length).toBeGreaterThan(summary.toGoogle.created);
    const status = await service.getStatus();
    expect(status).toMatchObject({ running: false });
    expect(status.lastRun?.summary?.toGoogle.created).toBe(summary.toGoogle.created);
    expect(
      events.some(
        (e) => e.event === 'status-changed' && (e.payload as ApiEvents['status-changed']).running,
      ),
    ).toBe(true);

    const second = value<{ toGoogle: Record<string, number>; toSevera: Record<string, number> }>(
      await service.dispatch('syncNow', []),
    );
    expect(second.toGoogle).toEqual({ created: 0, updated: 0, deleted: 0 });
    expect(second.toSevera).toEqual({ created: 0, updated: 0, deleted: 0 });

    const stored = await service.queryLog({ direction: 'toGoogle', limit: 5 });
    expect(stored.length).toBe(5);
    expect(stored.every((e) => e.direction === 'toGoogle' && e.id > 0)).toBe(true);
    const exported = await service.exportLog({});
    expect(exported.content.length).toBeGreaterThan(0);
    expect(exported.content).not.toContain('aino.virtanen@');
    expect(exported.content).toContain('a***@kalevala.example');
  });

  it('a mass deletion is held, shown in the status, and applied when the admin confirms', async () => {
    // What came from Google: single events carry the link, instances of a series only the state.
    const state = SyncState.open(profilePaths(dir).state);
    const ours = state.linksForUser(DEMO_TEST_USER).filter((l) => l.origin === 'google');
    state.close();
    expect(ours.length).toBeGreaterThanOrEqual(10);
    const gone = ours.slice(0, 10);
    const summaries = new Map(google.control.listAll(DEMO_TEST_USER).map((e) => [e.id, e.summary]));
    // An instance's id is its series' id + `_` + its original start; it has the series' title.
    const goneTitles = gone.map(
      (l) => summaries.get(l.googleId) ?? summaries.get(l.googleId.replace(/_[^_]+$/, '')),
    );
    for (const link of gone) google.control.deleteEvent(DEMO_TEST_USER, link.googleId);
    const activityCount = severa.control.activities.listAll().length;

    const run = value<{ held: number; toSevera: { deleted: number } }>(
      await service.dispatch('syncNow', []),
    );
    expect(run.held).toBe(10);
    expect(run.toSevera.deleted).toBe(0);
    const held = (await service.getStatus()).held;
    expect(held).toEqual([
      expect.objectContaining({ user: DEMO_TEST_USER, count: 10, side: 'severa' }),
    ]);
    expect(held[0]!.total).toBeGreaterThan(10);
    // Each held entry is named: its title and start as last synced, the side, since when.
    expect(held[0]!.items.map((i) => i.title).sort()).toEqual(goneTitles.sort());
    expect(held[0]!.items.every((i) => i.side === 'severa' && i.start && i.goneSince)).toBe(true);
    expect(severa.control.activities.listAll()).toHaveLength(activityCount);

    const after = value<{ status: { held: unknown[] }; done: number; failed: number }>(
      await service.dispatch('resolveHeld', [DEMO_TEST_USER, 'apply']),
    );
    expect(after).toMatchObject({ status: { held: [] }, done: 10, failed: 0 });
    expect(severa.control.activities.listAll()).toHaveLength(activityCount - 10);
    for (const link of gone) expect(severa.control.activities.get(link.severaGuid)).toBeUndefined();
  });

  it('resetting the sync state clears the last run', async () => {
    value(await service.dispatch('resetSyncState', []));
    expect((await service.getStatus()).lastRun).toBeNull();
  });
});

describe('the demo company', () => {
  it('startDemo runs both sandboxes in-process and the whole flow works against them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'service-demo-'));
    const events: Recorded[] = [];
    const service = newService(dir, events);
    try {
      const state = value<{
        demo: boolean;
        nonRealEndpoints: string[];
        google: { keyStored: boolean };
        severa: { secretStored: boolean; defaultActivityTypeGuid: string | null };
      }>(await service.dispatch('startDemo', []));
      expect(state).toMatchObject({
        demo: true,
        google: { keyStored: true },
        severa: { secretStored: true },
      });
      expect(state.nonRealEndpoints).toHaveLength(3);
      expect(state.severa.defaultActivityTypeGuid).not.toBeNull();
      expect((await service.runDiagnostics()).ok).toBe(true);
      const summary = value<{ toGoogle: { created: number } }>(
        await service.dispatch('syncNow', []),
      );
      expect(summary.toGoogle.created).toBeGreaterThan(0);
      // The real profile was not touched.
      expect(new FileSettingsStore(join(dir, 'settings.json')).get().app.demo).toBe(false);
    } finally {
      await service.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
