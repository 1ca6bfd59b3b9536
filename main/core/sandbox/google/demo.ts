import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';
import { GOOGLE_CALENDAR_SCOPE } from '../../setup/steps';
import {
  DEMO_CLIENT_ID,
  DEMO_DOMAIN,
  DEMO_GOOGLE_USERS,
  DEMO_KEY_PASSWORD,
  DEMO_PEOPLE,
  DEMO_PROJECT_ID,
  DEMO_PROJECT_NUMBER,
  DEMO_SERVICE_ACCOUNT,
  DEMO_TEST_USER,
} from '../demo-company';
import type { GoogleEvent } from './calendar-store';
import type { GoogleSandboxControl } from './state';
import { addDays, formatDate, fromLocal, toLocal, toZonedIso } from '../../zoned-time';

/** What the demo needs to be configured with; the private key exists only inside the P12. */
export interface DemoGoogleInfo {
  p12Path: string;
  p12Password: string;
  serviceAccountEmail: string;
  clientId: string;
  projectId: string;
  projectNumber: string;
  domain: string;
  testUser: string;
}

/**
 * A P12 shaped like Google's (reference §4.1): password `notasecret`, friendlyName
 * `privatekey` on both bags, 3DES, a self-signed certificate with CN = the client id.
 */
function writeDemoP12(dir: string): { path: string; publicKeyPem: string } {
  const keys = forge.pki.rsa.generateKeyPair({ bits: 2048, e: 0x10001 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = '01';
  cert.validity.notBefore = new Date();
  cert.validity.notAfter = new Date(Date.now() + 10 * 365 * 86_400_000);
  const subject = [{ name: 'commonName', value: DEMO_CLIENT_ID }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  const p12 = forge.pkcs12.toPkcs12Asn1(keys.privateKey, [cert], DEMO_KEY_PASSWORD, {
    algorithm: '3des',
    friendlyName: 'privatekey',
    generateLocalKeyId: true,
  });
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'kalevala-demo.p12');
  writeFileSync(path, Buffer.from(forge.asn1.toDer(p12).getBytes(), 'binary'), { mode: 0o600 });
  return { path, publicKeyPem: forge.pki.publicKeyToPem(keys.publicKey) };
}

interface Plan {
  summary: string;
  /** Days from this week's Monday. */
  day: number;
  hour?: number;
  minute?: number;
  minutes?: number;
  allDay?: boolean;
  visibility?: 'private';
  recurrence?: string[];
  location?: string;
}

/** A plausible week for everyone, relative to now; ids are Google-generated. */
function weekOf(user: string, index: number): Plan[] {
  const plans: Plan[] = [
    {
      summary: 'Viikkopalaveri',
      day: 0,
      hour: 9,
      minutes: 30,
      recurrence: ['RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=12'],
    },
    {
      summary: 'Asiakastapaaminen: Pohjolan Puu Oy',
      day: 1 + (index % 3),
      hour: 13,
      minutes: 90,
      location: 'Tampere',
    },
    { summary: 'Projektin ohjausryhmä', day: 2, hour: 10, minutes: 60 },
    { summary: 'Sprinttikatselmointi', day: 4, hour: 14, minute: 30, minutes: 60 },
  ];
  if (index % 2 === 0)
    plans.push({ summary: 'Hammaslääkäri', day: 3, hour: 8, minutes: 45, visibility: 'private' });
  else
    plans.push({
      summary: 'Lasten harrastus',
      day: 1,
      hour: 16,
      minutes: 60,
      visibility: 'private',
    });
  if (user === DEMO_TEST_USER || index === 2)
    plans.push({ summary: 'Koulutuspäivä', day: 3 + (index % 2), allDay: true });
  return plans;
}

function toEvent(plan: Plan, mondayLocal: string, timeZone: string): GoogleEvent {
  const date = addDays(mondayLocal, plan.day);
  const extra: GoogleEvent = {
    visibility: plan.visibility,
    location: plan.location,
    recurrence: plan.recurrence,
  };
  if (plan.allDay)
    return {
      summary: plan.summary,
      start: { date },
      end: { date: addDays(date, 1) },
      transparency: 'transparent',
      ...extra,
    };
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const startMs = fromLocal(
    { year, month, day, hour: plan.hour ?? 9, minute: plan.minute ?? 0, second: 0 },
    timeZone,
  );
  const endMs = startMs + (plan.minutes ?? 60) * 60_000;
  return {
    summary: plan.summary,
    start: { dateTime: toZonedIso(startMs, timeZone), timeZone },
    end: { dateTime: toZonedIso(endMs, timeZone), timeZone },
    ...extra,
  };
}

/** The Kalevala demo company on the Google side, with its service account and delegation. */
export function seedDemoCompany(
  control: GoogleSandboxControl,
  dir: string,
  nowMs: number,
): DemoGoogleInfo {
  const { path, publicKeyPem } = writeDemoP12(dir);
  control.registerServiceAccount(DEMO_SERVICE_ACCOUNT, DEMO_CLIENT_ID, publicKeyPem);
  control.authorize(DEMO_CLIENT_ID, [GOOGLE_CALENDAR_SCOPE]);
  control.setProjectNumber(DEMO_PROJECT_NUMBER);
  control.setApiEnabled(true);
  DEMO_GOOGLE_USERS.forEach((user, index) => {
    const timeZone = DEMO_PEOPLE.find((p) => p.severaEmail === user)?.timeZone ?? 'Europe/Helsinki';
    control.addUser(user, { timeZone, calendar: true });
    const today = toLocal(nowMs, timeZone);
    const weekday =
      (new Date(Date.UTC(today.year, today.month - 1, today.day)).getUTCDay() + 6) % 7;
    const monday = addDays(formatDate(today.year, today.month, today.day), -weekday);
    for (const plan of weekOf(user, index)) control.putEvent(user, toEvent(plan, monday, timeZone));
  });
  return {
    p12Path: path,
    p12Password: DEMO_KEY_PASSWORD,
    serviceAccountEmail: DEMO_SERVICE_ACCOUNT,
    clientId: DEMO_CLIENT_ID,
    projectId: DEMO_PROJECT_ID,
    projectNumber: DEMO_PROJECT_NUMBER,
    domain: DEMO_DOMAIN,
    testUser: DEMO_TEST_USER,
  };
}
