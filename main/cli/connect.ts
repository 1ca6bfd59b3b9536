import { connectGoogle, connectSevera } from '../core/service/connect';
import type { GoogleCalendarsClient } from '../core/google/calendar-client';
import type { SeveraClient } from '../core/severa/client';
import { KeychainSecretStore } from '../core/store/keychain';
import type { Settings } from '../core/store/settings';
import { SyncState } from '../core/sync/state';
import type { CliProfile } from './context';

/** A profile with both API clients built from its settings and keychain secrets, and its state. */
export interface ConnectedProfile {
  settings: Settings;
  severa: SeveraClient;
  google: GoogleCalendarsClient;
  state: SyncState;
  close(): void;
}

export const openState = (profile: CliProfile): SyncState => SyncState.open(profile.paths.state);

/** `signal` ends the clients' requests in flight (SIGTERM). */
export async function connectProfile(
  profile: CliProfile,
  signal?: AbortSignal,
): Promise<ConnectedProfile> {
  const settings = profile.settings.get();
  const env = {
    dir: profile.dir,
    settings,
    secrets: new KeychainSecretStore(profile.dir),
    logger: profile.logger,
    signal,
  };
  const severa = await connectSevera(env);
  const google = await connectGoogle(env);
  const state = openState(profile);
  return {
    settings,
    severa,
    google,
    state,
    close: () => {
      google.close();
      state.close();
    },
  };
}
