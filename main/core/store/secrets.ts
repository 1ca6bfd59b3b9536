/** The names of the secrets the product keeps. Nothing else goes into the keychain. */
export type SecretName = 'google-private-key' | 'severa-client-secret';

/**
 * The OS keychain (design D1). One implementation (keychain.ts, the only file that imports
 * keytar); there is deliberately no plaintext fallback.
 */
export interface SecretStore {
  get(name: SecretName): Promise<string | null>;
  set(name: SecretName, value: string): Promise<void>;
  delete(name: SecretName): Promise<void>;
}
