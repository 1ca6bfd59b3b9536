import { readFileSync } from 'node:fs';
import { createGoogleCalendars } from '../../main/core/google/calendar-client';
import { createSeveraClient } from '../../main/core/severa/client';
import { profilePaths } from '../../main/core/store/profile';
import { FileSettingsStore } from '../../main/core/store/settings';
import { runSync } from '../../main/core/sync/engine';
import { SyncState } from '../../main/core/sync/state';

/**
 * One engine run in a process of its own, so the benchmark measures the engine's CPU time and
 * peak RSS apart from the sandboxes. Reads one JSON object on stdin (the profile, the throw-away
 * sandbox secrets, Severa's rate and the sweep) and prints one JSON object. The clients are built
 * as the CLI builds them, except that the secrets come from stdin instead of the keychain.
 */
interface EngineRunInput {
  profileDir: string;
  privateKeyPem: string;
  severaSecret: string;
  severaRequestsPerSecond: number;
  /** Google's budgets for the client's limiters (the sandbox enforces the same). */
  googleUserPerMinute: number;
  googleProjectPerMinute: number;
  sweep?: 'near' | 'full';
  concurrency?: number;
}

const input = JSON.parse(readFileSync(0, 'utf8')) as EngineRunInput;
const paths = profilePaths(input.profileDir);
const stored = new FileSettingsStore(paths.settings).get();
const settings = {
  ...stored,
  google: {
    ...stored.google,
    userRequestsPerMinute: input.googleUserPerMinute,
    projectRequestsPerMinute: input.googleProjectPerMinute,
  },
  severa: { ...stored.severa, requestsPerSecond: input.severaRequestsPerSecond },
};
const severa = createSeveraClient({
  apiRoot: settings.severa.apiRoot,
  clientId: settings.severa.clientId ?? '',
  clientSecret: input.severaSecret,
  requestsPerSecond: input.severaRequestsPerSecond,
  timeoutMs: settings.sync.requestTimeoutSeconds * 1000,
});
const google = createGoogleCalendars({
  settings: settings.google,
  privateKeyPem: input.privateKeyPem,
  requestTimeoutMs: settings.sync.requestTimeoutSeconds * 1000,
});
const state = SyncState.open(paths.state);
const cpuBefore = process.cpuUsage();
const started = performance.now();
const result = await runSync(
  { settings, severa, google, state },
  { sweep: input.sweep, concurrency: input.concurrency },
);
const wallSeconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuBefore);
google.close();
state.close();
process.stdout.write(
  JSON.stringify({
    ok: result.ok,
    errors: result.errors.slice(0, 5),
    toGoogle: result.toGoogle,
    toSevera: result.toSevera,
    adopted: result.adopted,
    wallSeconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    // resourceUsage().maxRSS is in kilobytes: the whole process, from its start.
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  }) + '\n',
);
