import { localized, type Localized } from '../localized';

/**
 * The form of a Google service account's e-mail address, so a typo in its fixed ending is
 * refused where it is typed (the key import and the set-up both check it).
 */
/** Google's own service-account addresses (IAM "Service account ID": 6–30 characters). */
const SERVICE_ACCOUNT_SUFFIXES = [
  '.iam.gserviceaccount.com',
  // App Engine's default account and the old Compute/developer accounts.
  '@appspot.gserviceaccount.com',
  '@developer.gserviceaccount.com',
] as const;
// Google asks 6–30 characters of new ids; older and test accounts can be shorter, so only the
// characters are held against an address (a typo is what this catches, not an old account).
const SERVICE_ACCOUNT_ID = /^[a-z]([a-z0-9-]{0,28}[a-z0-9])?$/;
const LEGACY_ACCOUNT_ID = /^[a-z0-9-]+$/;
const PROJECT_PART = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/;

/** Edit distance, for "did you mean": short strings only. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/** What is wrong with a service-account e-mail address, or null when it has Google's form. */
export function serviceAccountEmailProblem(raw: string): Localized | null {
  const email = raw.trim().toLowerCase();
  const at = email.lastIndexOf('@');
  const id = email.slice(0, at);
  const host = email.slice(at + 1);
  if (at <= 0 || !host) {
    return localized(
      `"${email}" ei ole sähköpostiosoite. Palvelutilin osoite on muotoa nimi@projekti.iam.gserviceaccount.com.`,
      `"${email}" is not an e-mail address. A service account's address has the form name@project.iam.gserviceaccount.com.`,
    );
  }
  const legacy = SERVICE_ACCOUNT_SUFFIXES.slice(1).find((s) => email.endsWith(s));
  if (legacy && LEGACY_ACCOUNT_ID.test(id)) return null;
  const iam = SERVICE_ACCOUNT_SUFFIXES[0];
  if (host.endsWith(iam)) {
    const project = host.slice(0, -iam.length);
    if (!PROJECT_PART.test(project)) {
      return localized(
        `Osoitteesta "${email}" puuttuu projektin tunnus ennen ${iam}.`,
        `"${email}" lacks the project id before ${iam}.`,
      );
    }
    if (!SERVICE_ACCOUNT_ID.test(id)) {
      return localized(
        `Palvelutilin tunnus "${id}" ei kelpaa: Googlen palvelutilin tunnuksessa on enintään 30 merkkiä, pieniä kirjaimia, numeroita ja väliviivoja, ja se alkaa kirjaimella.`,
        `The service account id "${id}" is not valid: Google's ids have up to 30 characters (lower-case letters, digits, hyphens) and start with a letter.`,
      );
    }
    return null;
  }
  // The nearest of Google's endings, to name the typo ("gserviceacount", "iam.gservice.com").
  const tail = host.split('.').slice(-3).join('.');
  const suggestion =
    distance(tail, iam.slice(1)) <= 4 ? host.slice(0, -tail.length) + iam.slice(1) : null;
  const fix = suggestion ? ` ${id}@${suggestion}?` : '';
  return localized(
    `Osoite "${email}" ei pääty Googlen palvelutilien päätteeseen ${iam}.${fix ? ` Tarkoititko${fix}` : ''}`,
    `"${email}" does not end in ${iam}, the ending of Google's service accounts.${fix ? ` Did you mean${fix}` : ''}`,
  );
}
