import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importGoogleKey } from '../../main/core/google/key-import';
import { startGoogleSandbox, type GoogleSandbox } from '../../main/core/sandbox/google-sandbox';
import { startSeveraSandbox, type SeveraSandbox } from '../../main/core/sandbox/severa-sandbox';
import { KeychainSecretStore } from '../../main/core/store/keychain';
import { profilePaths } from '../../main/core/store/profile';
import { FileSettingsStore } from '../../main/core/store/settings';
import { textOfEveryFile } from '../helpers/leaks';

/*
 * `users --json` and `activity-types --json` from the CLI's source (tsx, no build) against both
 * sandboxes, with the secrets in the real keychain: run under `bash scripts/with-keyring.sh`.
 */
const REPO = resolve(import.meta.dirname, '../..');
let severa: SeveraSandbox;
let google: GoogleSandbox;
let profile: string;
const outputs: string[] = [];

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) =>
    execFile(
      'node',
      ['--import', 'tsx', 'main/cli.ts', '--profile', profile, ...args],
      { cwd: REPO, timeout: 40_000 },
      (error, stdout, stderr) => {
        outputs.push(stdout, stderr);
        done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
      },
    ),
  );
}

beforeAll(async () => {
  [severa, google] = await Promise.all([
    startSeveraSandbox({ seedDemo: true }),
    startGoogleSandbox({ seedDemo: true }),
  ]);
  profile = mkdtempSync(join(tmpdir(), 'severa-cli-'));
  const settings = new FileSettingsStore(profilePaths(profile).settings);
  const secrets = new KeychainSecretStore(profile);
  const demo = google.demo!;
  await importGoogleKey(
    {
      bytes: readFileSync(demo.p12Path),
      password: demo.p12Password,
      serviceAccountEmail: demo.serviceAccountEmail,
    },
    secrets,
    settings,
  );
  await secrets.set('severa-client-secret', severa.demo!.clientSecret);
  const palaveri = severa.control.activityTypes.listAll().find((t) => t.name === 'Palaveri')!;
  settings.update({
    google: { domain: demo.domain, apiRoot: google.apiRoot, tokenUrl: google.tokenUrl },
    severa: {
      apiRoot: severa.apiRoot,
      clientId: severa.demo!.clientId,
      activityTypeGuids: [palaveri.guid],
      defaultActivityTypeGuid: palaveri.guid,
    },
    users: {
      mode: 'selected',
      enabled: ['aino.virtanen@kalevala.example', 'pekka.heikkinen@kalevala.example'],
    },
  });
});

afterAll(async () => {
  const secrets = new KeychainSecretStore(profile);
  await secrets.delete('google-private-key');
  await secrets.delete('severa-client-secret');
  rmSync(profile, { recursive: true, force: true });
  await Promise.all([severa.close(), google.close()]);
});

describe('CLI users and activity-types', () => {
  it('users --json lists the active Severa users with whether each is enabled and matches a Google account', async () => {
    const run = await cli(['users', '--json']);
    expect(run.code).toBe(0);
    const rows = JSON.parse(run.stdout) as {
      email: string;
      enabled: boolean;
      match: string;
      step: string | null;
      guid: string;
      name: string;
    }[];
    const byEmail = Object.fromEntries(
      rows.map((r) => [
        r.email,
        `${r.enabled ? 'enabled' : 'disabled'} ${r.match} ${r.step ?? '-'}`,
      ]),
    );
    expect(byEmail).toEqual({
      'aino.virtanen@kalevala.example': 'enabled ok -',
      'ilmari.korhonen@kalevala.example': 'disabled unchecked -',
      'kerttu.makinen@kalevala.example': 'disabled unchecked -',
      'vaino.nieminen@kalevala.example': 'disabled unchecked -',
      'lemmiki.laine@kalevala.example': 'disabled unchecked -',
      'pekka.heikkinen@kalevala.example': 'enabled no-google-account pre.same-email',
    });
    expect(rows.find((r) => r.email.startsWith('aino'))).toMatchObject({
      name: 'Aino Virtanen',
      guid: expect.any(String),
    });
  });

  it('activity-types --json lists every type with its category and how the settings use it', async () => {
    const run = await cli(['activity-types', '--json']);
    expect(run.code).toBe(0);
    const rows = JSON.parse(run.stdout) as {
      name: string;
      category: string;
      isActive: boolean;
      synced: boolean;
      defaultForGoogle: boolean;
    }[];
    expect(rows.map((r) => r.category).sort()).toEqual([
      'Absences',
      'CalendarEntry',
      'CalendarEntry',
      'Personal',
      'SalesEvent',
      'Task',
    ]);
    expect(rows.find((r) => r.name === 'Palaveri')).toMatchObject({
      isActive: true,
      synced: true,
      defaultForGoogle: true,
    });
    expect(rows.find((r) => r.name === 'Vanha palaveri')).toMatchObject({
      isActive: false,
      synced: false,
    });
  });

  it('says which step fixes a refused secret, and the secrets appear in no output or profile file', async () => {
    severa.control.addClient(severa.demo!.clientId, 'a-rotated-secret-42', ['users:read']);
    try {
      const run = await cli(['users']);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('(step severa.api-credentials)');
      expect(run.stderr).toContain('Invalid client credentials.');
    } finally {
      severa.control.addClient(severa.demo!.clientId, severa.demo!.clientSecret, [
        'activities:read',
        'activities:write',
        'activities:delete',
        'settings:read',
        'users:read',
      ]);
    }
    const files = Object.entries(textOfEveryFile(profile));
    expect(files.map(([f]) => f)).toContain(profilePaths(profile).debugLog);
    for (const [file, text] of [...files, ...outputs.map((o, i) => [`output ${i}`, o] as const)]) {
      expect({ file, leaked: text.includes(severa.demo!.clientSecret) }).toEqual({
        file,
        leaked: false,
      });
    }
  });
});
