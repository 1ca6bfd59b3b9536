import { AppError } from '../errors';
import { localized, type Localized } from '../localized';
import { registerSecret, scrub } from '../log';
import { profileId } from './profile';
import type { SecretName, SecretStore } from './secrets';

/** The keychain "service" every entry of this product is filed under. */
export const KEYCHAIN_SERVICE = 'severa-calendar-sync';

type Keytar = typeof import('keytar');

/**
 * Loaded on first use, so that a missing native library (libsecret on Linux) is reported as an
 * unavailable keychain instead of crashing every command that never needs a secret.
 */
let keytarModule: Promise<Keytar> | null = null;
const loadKeytar = (): Promise<Keytar> =>
  (keytarModule ??= import('keytar').then(
    (m) => (m as Keytar & { default?: Keytar }).default ?? m,
  ));

const HOW_TO_FIX: Record<'linux' | 'darwin' | 'win32', Localized> = {
  linux: localized(
    'Asenna ja avaa Secret Service -avainnippu (gnome-keyring tai KWallet) ja varmista, että D-Bus-istunto on käynnissä. Palvelimella ilman työpöytää: dbus-run-session ja gnome-keyring-daemon --unlock.',
    'Install and unlock a Secret Service keyring (gnome-keyring or KWallet) and make sure a D-Bus session is running. On a server without a desktop: dbus-run-session with gnome-keyring-daemon --unlock.',
  ),
  darwin: localized(
    'Avaa Avainnippu-sovellus (Keychain Access), avaa login-avainnippu lukituksesta ja salli sovellukselle pääsy, kun macOS kysyy.',
    'Open Keychain Access, unlock the login keychain and allow access when macOS asks.',
  ),
  win32: localized(
    'Kirjaudu Windowsiin omalla käyttäjätililläsi ja tarkista, että Tunnistetietojen hallinta (Credential Manager, palvelu VaultSvc) on käytössä.',
    'Sign in to Windows with your own user account and check that Credential Manager (the VaultSvc service) is running.',
  ),
};

export function keychainUnavailable(
  cause: unknown,
  platform: NodeJS.Platform = process.platform,
): AppError {
  const detail = scrub(cause instanceof Error ? cause.message : String(cause));
  const fix = HOW_TO_FIX[platform === 'darwin' || platform === 'win32' ? platform : 'linux'];
  return new AppError(
    'keychain-unavailable',
    'support.error-log',
    localized(
      `Käyttöjärjestelmän avainnippu ei ole käytettävissä (${detail}). Salaisuuksia ei koskaan tallenneta tavalliseen tiedostoon. ${fix.fi}`,
      `The operating system's keychain is not available (${detail}). Secrets are never stored in a plain file instead. ${fix.en}`,
    ),
    { cause },
  );
}

/**
 * The OS keychain through keytar (design D1); the only code that imports keytar. Entries are
 * per profile folder, so two profiles (a demo and the real company) never share a secret.
 * There is no fallback: when the keychain cannot be reached, every call throws
 * `keychain-unavailable`.
 */
export class KeychainSecretStore implements SecretStore {
  private readonly prefix: string;

  constructor(
    profileDir: string,
    private readonly platform: NodeJS.Platform = process.platform,
  ) {
    this.prefix = profileId(profileDir);
  }

  async get(name: SecretName): Promise<string | null> {
    const value = await this.call((k) => k.getPassword(KEYCHAIN_SERVICE, this.account(name)));
    registerSecret(value);
    return value;
  }

  async set(name: SecretName, value: string): Promise<void> {
    registerSecret(value);
    await this.call((k) => k.setPassword(KEYCHAIN_SERVICE, this.account(name), value));
  }

  async delete(name: SecretName): Promise<void> {
    await this.call((k) => k.deletePassword(KEYCHAIN_SERVICE, this.account(name)));
  }

  private account(name: SecretName): string {
    return `${this.prefix}:${name}`;
  }

  private async call<T>(operation: (keytar: Keytar) => Promise<T>): Promise<T> {
    try {
      return await operation(await loadKeytar());
    } catch (e) {
      throw keychainUnavailable(e, this.platform);
    }
  }
}
