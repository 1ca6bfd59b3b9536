import { AppError } from '../errors';
import { serviceAccountEmailProblem } from '../google/service-account-email';
import { localized, type Localized } from '../localized';
import type { StepId } from './steps';

export { serviceAccountEmailProblem };

/**
 * The rules a value must meet when the admin enters it, so a typo is refused where it is typed
 * instead of surfacing later as a failed Test. Each problem names the value and the rule.
 */

const DOMAIN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

export function domainProblem(raw: string): Localized | null {
  const domain = raw.trim().toLowerCase();
  if (DOMAIN.test(domain)) return null;
  return localized(
    `"${domain}" ei ole verkkotunnus (esimerkiksi yritys.fi).`,
    `"${domain}" is not a domain (for example company.fi).`,
  );
}

/** The Test impersonates this user, so it must be an account of the Workspace domain. */
export function testUserProblem(rawUser: string, rawDomain: string | null): Localized | null {
  const user = rawUser.trim().toLowerCase();
  const domain = rawDomain?.trim().toLowerCase();
  if (!domain) return null;
  const host = user.slice(user.lastIndexOf('@') + 1);
  if (host === domain || host.endsWith(`.${domain}`)) return null;
  return localized(
    `Testikäyttäjä ${user} ei ole verkkotunnuksessa ${domain}: valitse oman Workspace-verkkotunnuksesi käyttäjä, jonka kalenteria testi saa lukea.`,
    `The test user ${user} is not in the domain ${domain}: choose a user of your own Workspace domain whose calendar the Test may read.`,
  );
}

/** A refused value as the error the renderer shows at the form. */
export const refusedEntry = (code: string, step: StepId, problem: Localized) =>
  new AppError(`entry.${code}`, step, problem);
