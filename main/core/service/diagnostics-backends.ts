import type { ActivityTypeDto, SeveraUserDto } from '../../../preload/api';
import { runDiagnostics, type DiagnosticCheck } from '../setup/diagnostics';
import { createSeveraClient } from '../severa/client';
import type { SeveraUser } from '../severa/models';
import { googleChecks, type GoogleCheckContext } from '../setup/google-checks';
import {
  type SeveraCheckContext,
  enabledFilter,
  matchUsers,
  probeWith,
  severaChecks,
  type GoogleUserProbe,
} from '../setup/severa-checks';
import type { CoreBackends, ProfileEnv } from './backends';
import { connectGoogle, connectSevera } from './connect';

/**
 * Runs `use` with a probe that mints a Google token per user (how a Severa address is matched to
 * a Workspace account), or with null while Google is not set up: users then stay unchecked and
 * the Google checks say what is missing.
 */
async function withGoogleProbe<T>(
  env: ProfileEnv,
  use: (probe: GoogleUserProbe | null) => Promise<T>,
): Promise<T> {
  const google = await connectGoogle(env).catch(() => null);
  try {
    return await use(google ? probeWith(google) : null);
  } finally {
    google?.close();
  }
}

/** One ordered list: Google first, then Severa (whose user check needs the Google probe). */
const CHECKS: DiagnosticCheck<GoogleCheckContext & SeveraCheckContext>[] = [
  ...googleChecks,
  ...severaChecks,
];

export const diagnosticsBackends: Pick<
  CoreBackends,
  'runDiagnostics' | 'listUsers' | 'listActivityTypes' | 'checkSeveraCredentials'
> = {
  checkSeveraCredentials: async (credentials, logger) => {
    const severa = createSeveraClient({ ...credentials, logger: logger.child('severa') });
    return { scopes: await severa.grantedScopes() };
  },

  runDiagnostics: (env, onResult) =>
    withGoogleProbe(env, (probeGoogleUser) =>
      runDiagnostics(
        CHECKS,
        { settings: env.settings, secrets: env.secrets, logger: env.logger, probeGoogleUser },
        onResult,
      ),
    ),

  listUsers: async (env, options = {}): Promise<SeveraUserDto[]> => {
    const severa = await connectSevera(env);
    const users: SeveraUser[] = [];
    for await (const user of severa.listUsers({ isActive: true })) users.push(user);
    const enabled = enabledFilter(env.settings.users);
    if (options.probe === false) return matchUsers(users, null, enabled);
    return withGoogleProbe(env, (probe) => matchUsers(users, probe, enabled));
  },

  listActivityTypes: async (env): Promise<ActivityTypeDto[]> => {
    const severa = await connectSevera(env);
    const types: ActivityTypeDto[] = [];
    for await (const t of severa.listActivityTypes())
      types.push({ guid: t.guid, name: t.name, category: t.category, isActive: t.isActive });
    return types;
  },
};
