import { AppError } from '../errors';
import { localized, type Localized } from '../localized';
import type { StepId } from '../setup/steps';

export type KeyImportErrorCode =
  | 'key-empty'
  | 'key-too-large'
  | 'key-unreadable'
  | 'key-not-pkcs12'
  | 'key-corrupt'
  | 'key-wrong-password'
  | 'key-no-private-key'
  | 'key-not-rsa'
  | 'key-json-not-service-account'
  | 'key-bad-service-account-email'
  | 'key-missing';

/**
 * A service-account key that cannot be imported or loaded. Every one is fixed by getting the
 * right key file (step gcp.p12-key), except a bad e-mail address (gcp.client-id).
 */
export class KeyImportError extends AppError {
  constructor(
    override readonly code: KeyImportErrorCode,
    text: Localized,
    options?: { cause?: unknown; step?: StepId },
  ) {
    super(code, options?.step ?? 'gcp.p12-key', text, options);
    this.name = 'KeyImportError';
  }
}

const DOWNLOAD_AGAIN = localized(
  'Lataa avain uudelleen: Google Cloud Console → IAM → Palvelutilit → palvelutili → Avaimet → Lisää avain.',
  'Download the key again: Google Cloud Console → IAM → Service accounts → the service account → Keys → Add key.',
);

const withAdvice = (fi: string, en: string): Localized =>
  localized(`${fi} ${DOWNLOAD_AGAIN.fi}`, `${en} ${DOWNLOAD_AGAIN.en}`);

export const keyErrors = {
  empty: () =>
    new KeyImportError(
      'key-empty',
      withAdvice('Avaintiedosto on tyhjä.', 'The key file is empty.'),
    ),
  tooLarge: (limitKiB: number) =>
    new KeyImportError(
      'key-too-large',
      withAdvice(
        `Tiedosto on yli ${limitKiB} KiB, joten se ei ole Googlen palvelutilin avain. Valitse ladattu .p12- tai .json-tiedosto.`,
        `The file is larger than ${limitKiB} KiB, so it is not a Google service-account key. Choose the .p12 or .json file you downloaded.`,
      ),
    ),
  unreadable: (file: string, reason: string, cause: unknown) =>
    new KeyImportError(
      'key-unreadable',
      localized(
        `Avaintiedostoa ${file} ei voitu lukea (${reason}).`,
        `The key file ${file} could not be read (${reason}).`,
      ),
      { cause },
    ),
  notPkcs12: (isPem: boolean) =>
    new KeyImportError(
      'key-not-pkcs12',
      isPem
        ? withAdvice(
            'Tiedosto on PEM-tekstitiedosto, ei Googlen P12- tai JSON-avain.',
            'The file is a PEM text file, not a Google P12 or JSON key.',
          )
        : withAdvice(
            'Tiedosto ei ole P12 (PKCS#12) -avain eikä JSON-avain.',
            'The file is neither a P12 (PKCS#12) key nor a JSON key.',
          ),
    ),
  corrupt: (cause: unknown) =>
    new KeyImportError(
      'key-corrupt',
      withAdvice(
        'Avaintiedosto on vioittunut tai katkennut (esimerkiksi keskeytynyt lataus), tai sen salausta ei tueta.',
        'The key file is damaged or truncated (an interrupted download, for example), or uses an encryption that is not supported.',
      ),
      { cause },
    ),
  wrongPassword: (passwordGiven: boolean) =>
    new KeyImportError(
      'key-wrong-password',
      passwordGiven
        ? localized(
            'Väärä salasana: avain ei aukea Googlen oletussalasanalla notasecret (julkinen, ei salaisuus) eikä annetulla salasanalla. Anna salasana, joka näytettiin avainta luotaessa.',
            "Wrong password: the key opens neither with Google's default password notasecret (public, not a secret) nor with the password given. Give the password that was shown when the key was created.",
          )
        : localized(
            'Avain ei aukea Googlen P12-avainten oletussalasanalla notasecret (julkinen, ei salaisuus). Anna salasana, joka näytettiin avainta luotaessa.',
            "The key does not open with notasecret, Google's default password for P12 keys (public, not a secret). Give the password that was shown when the key was created.",
          ),
    ),
  noPrivateKey: () =>
    new KeyImportError(
      'key-no-private-key',
      withAdvice(
        'P12-tiedostossa ei ole yksityistä avainta (siinä on vain varmenne).',
        'The P12 file holds no private key (only a certificate).',
      ),
    ),
  notRsa: (keyType: string) =>
    new KeyImportError(
      'key-not-rsa',
      withAdvice(
        `Avain ei ole RSA-avain (tyyppi ${keyType}). Googlen palvelutilien avaimet ovat RSA-avaimia.`,
        `The key is not an RSA key (type ${keyType}). Google service-account keys are RSA keys.`,
      ),
    ),
  jsonNotServiceAccount: () =>
    new KeyImportError(
      'key-json-not-service-account',
      localized(
        'JSON-tiedosto ei ole palvelutilin avain (siitä puuttuu "type": "service_account", private_key, client_email tai client_id). Luo avain palvelutilille: Avaimet → Lisää avain → JSON.',
        'The JSON file is not a service-account key (it lacks "type": "service_account", private_key, client_email or client_id). Create a key for the service account: Keys → Add key → JSON.',
      ),
    ),
  badServiceAccountEmail: (problem: Localized) =>
    new KeyImportError('key-bad-service-account-email', problem, { step: 'gcp.service-account' }),
  missing: () =>
    new KeyImportError(
      'key-missing',
      localized(
        'Palvelutilin avainta ei ole tallennettu avainnippuun. Tuo .p12- tai .json-avain.',
        'No service-account key is stored in the keychain. Import the .p12 or .json key.',
      ),
    ),
};

/** Not an error: the import goes on, the admin should look. */
export const keyWarnings = {
  clientIdMismatch: (entered: string, inKey: string) =>
    localized(
      `Annettu Client ID ${entered} ei ole sama kuin avaimen ${inKey}. Käytetään avaimen tunnusta ${inKey}; tarkista se palvelutilin tiedoista ja delegoinnin valtuutuksesta.`,
      `The client ID entered, ${entered}, differs from the key's, ${inKey}. The key's ID ${inKey} is used; check it in the service account's details and in the delegation authorization.`,
    ),
  emailMismatch: (entered: string, inKey: string) =>
    localized(
      `Annettu palvelutilin sähköposti ${entered} ei ole sama kuin JSON-avaimen ${inKey}. Käytetään avaimen osoitetta.`,
      `The service-account e-mail entered, ${entered}, differs from the JSON key's, ${inKey}. The key's address is used.`,
    ),
};
