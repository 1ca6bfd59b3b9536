import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, REPO, runCli } from '../helpers/cli';

/*
 * A newcomer's path through the built CLI: `sandbox`, then `configure` with every printed demo
 * value, then `test --json` and `users --json`. Run under `bash scripts/with-keyring.sh` (the
 * Google key and the Severa secret go to the real keychain).
 */

interface SandboxLine {
  google: { apiRoot: string; tokenUrl: string };
  severa: { apiRoot: string };
  demo: {
    p12: string;
    keyPassword: string;
    serviceAccount: string;
    clientId: string;
    domain: string;
    testUser: string;
    severaClientId: string;
    severaClientSecret: string;
    activityTypes: string[];
    defaultActivityType: string;
    personalActivityType: string;
  };
}

let sandbox: ChildProcess;
let printed: SandboxLine;
let profile: string;

beforeAll(async () => {
  sandbox = spawn('node', [CLI, 'sandbox', '--json'], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const firstLine = await new Promise<string>((resolve, reject) => {
    createInterface({ input: sandbox.stdout! }).once('line', resolve);
    sandbox.once('exit', (code) => reject(new Error(`sandbox exited with ${code}`)));
  });
  printed = JSON.parse(firstLine) as SandboxLine;
  profile = mkdtempSync(join(tmpdir(), 'cli-setup-'));
});

afterAll(() => {
  sandbox?.kill('SIGTERM');
  if (profile) rmSync(profile, { recursive: true, force: true });
});

describe('sandbox → configure → test → users', () => {
  it('prints one JSON line with both endpoints and every demo value', () => {
    expect(printed.google.apiRoot).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(printed.google.tokenUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/token$/);
    expect(printed.severa.apiRoot).toMatch(/^http:\/\/127\.0\.0\.1:\d+/);
    expect(printed.demo.keyPassword).toBe('notasecret');
    expect(printed.demo.clientId).toMatch(/^\d+$/);
    expect(printed.demo.activityTypes.length).toBeGreaterThan(0);
  });

  it('configures from the printed values and every check passes (the mismatched users warn)', async () => {
    const d = printed.demo;
    const configured = await runCli(
      profile,
      [
        'configure',
        ...['--google-key', d.p12, '--key-password', d.keyPassword],
        ...['--service-account', d.serviceAccount, '--client-id', d.clientId],
        ...['--domain', d.domain, '--test-user', d.testUser],
        ...[
          '--google-api-root',
          printed.google.apiRoot,
          '--google-token-url',
          printed.google.tokenUrl,
        ],
        ...['--severa-api-root', printed.severa.apiRoot, '--severa-client-id', d.severaClientId],
        ...['--severa-client-secret-env', 'DEMO_SEVERA_SECRET'],
        ...['--activity-types', d.activityTypes.join(',')],
        ...['--default-activity-type', d.defaultActivityType],
        ...['--personal-activity-type', d.personalActivityType],
        '--json',
      ],
      { env: { DEMO_SEVERA_SECRET: d.severaClientSecret } },
    );
    expect(configured.stderr).toBe('');
    expect(configured.code).toBe(0);

    const tested = await runCli(profile, ['test', '--json'], { timeoutMs: 60_000 });
    expect(tested.code).toBe(0);
    const report = JSON.parse(tested.stdout) as {
      ok: boolean;
      checks: { id: string; status: string; step: string | null }[];
    };
    expect(report.ok).toBe(true);
    const statuses = Object.fromEntries(report.checks.map((c) => [c.id, c.status]));
    expect(statuses).toEqual({
      'google.network': 'pass',
      'severa.network': 'pass',
      'google.key': 'pass',
      'google.clock': 'pass',
      'google.token': 'pass',
      'google.calendar-api': 'pass',
      'google.calendar-access': 'pass',
      'severa.token': 'pass',
      'severa.scopes': 'pass',
      'severa.addon': 'pass',
      'severa.activity-types': 'pass',
      // The demo company has two people whose Severa address has no Google account.
      'severa.users': 'warn',
    });
    expect(report.checks.find((c) => c.id === 'severa.users')?.step).toBe('pre.same-email');
    expect(tested.stdout).not.toContain(d.severaClientSecret);
  });

  it('users --json lists the demo company with the mismatched ones flagged', async () => {
    const listed = await runCli(profile, ['users', '--json']);
    expect(listed.code).toBe(0);
    const users = JSON.parse(listed.stdout) as {
      email: string;
      match: string;
      step: string | null;
    }[];
    const byMatch = (match: string) =>
      users
        .filter((u) => u.match === match)
        .map((u) => u.email)
        .sort();
    expect(byMatch('ok')).toEqual([
      'aino.virtanen@kalevala.example',
      'ilmari.korhonen@kalevala.example',
      'kerttu.makinen@kalevala.example',
      'vaino.nieminen@kalevala.example',
    ]);
    expect(byMatch('no-google-account')).toEqual([
      'lemmiki.laine@kalevala.example',
      'pekka.heikkinen@kalevala.example',
    ]);
    expect(users.filter((u) => u.match !== 'ok').every((u) => u.step === 'pre.same-email')).toBe(
      true,
    );
  });
});
