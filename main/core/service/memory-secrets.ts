import { registerSecret } from '../log';
import type { SecretName, SecretStore } from '../store/secrets';

/**
 * Secrets held only in this process. Used for the demo profile, whose key and Severa secret are
 * throw-away sandbox credentials created at each start: the demo then runs on machines without
 * a keychain, and never leaves sandbox entries behind in the real one.
 */
export class MemorySecretStore implements SecretStore {
  private readonly values = new Map<SecretName, string>();

  async get(name: SecretName): Promise<string | null> {
    return this.values.get(name) ?? null;
  }

  async set(name: SecretName, value: string): Promise<void> {
    registerSecret(value);
    this.values.set(name, value);
  }

  async delete(name: SecretName): Promise<void> {
    this.values.delete(name);
  }
}
