import { z } from 'zod';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { STEP_IDS } from '../setup/steps';

export const REAL_GOOGLE_API_ROOT = 'https://www.googleapis.com/';
export const REAL_GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';
export const REAL_SEVERA_API_ROOT = 'https://api.severa.visma.com/rest-api';

const email = z.string().trim().toLowerCase().email();

/**
 * Everything the product remembers that is not a secret and not sync state. Secrets (the
 * private key, the Severa client secret) live only in the keychain; settings keep facts about
 * them (fingerprint, client id) so the UI can show "key stored" without reading it.
 */
export const settingsSchema = z.object({
  schemaVersion: z.literal(1).default(1),
  google: z
    .object({
      serviceAccountEmail: email.nullable().default(null),
      clientId: z.string().regex(/^\d+$/).nullable().default(null),
      keyFingerprint: z.string().nullable().default(null),
      keyKind: z.enum(['p12', 'json']).nullable().default(null),
      projectId: z.string().nullable().default(null),
      domain: z.string().trim().toLowerCase().nullable().default(null),
      testUser: email.nullable().default(null),
      apiRoot: z.string().url().default(REAL_GOOGLE_API_ROOT),
      tokenUrl: z.string().url().default(REAL_GOOGLE_TOKEN_URL),
      /** Google's defaults; a project may have other quotas (Cloud Console → Quotas). */
      userRequestsPerMinute: z.number().int().positive().default(600),
      projectRequestsPerMinute: z.number().int().positive().default(10_000),
    })
    .prefault({}),
  severa: z
    .object({
      clientId: z.string().nullable().default(null),
      apiRoot: z.string().url().default(REAL_SEVERA_API_ROOT),
      requestsPerSecond: z.number().positive().max(50).default(10),
      /** Activity types synced from Severa to Google. */
      activityTypeGuids: z.array(z.string()).default([]),
      /** The type given to Google entries that are not private. */
      defaultActivityTypeGuid: z.string().nullable().default(null),
      /** A `Personal`-category type given to private Google entries. */
      personalActivityTypeGuid: z.string().nullable().default(null),
    })
    .prefault({}),
  users: z
    .object({
      /** `all` is the help page's recommendation (`pre.enable-for-all`). */
      mode: z.enum(['all', 'selected']).default('all'),
      enabled: z.array(email).default([]),
    })
    .prefault({}),
  sync: z
    .object({
      windowPastDays: z.number().int().min(0).max(365).default(30),
      windowFutureDays: z.number().int().min(1).max(730).default(180),
      conflictPolicy: z.enum(['later-wins', 'severa-wins', 'google-wins']).default('later-wins'),
      /** A run that would delete more than this share of a user's items is held. */
      deletionThresholdPercent: z.number().min(0).max(100).default(25),
      /**
       * Minutes between background runs. 1: a steady-state run of 1 000 users takes seconds and a
       * tenth of each quota at the real limits (docs/benchmark.md, "Changes within a minute").
       */
      intervalMinutes: z.number().int().min(1).max(1440).default(1),
      nearSweepMinutes: z.number().int().min(1).default(15),
      nearSweepDays: z.number().int().min(1).default(14),
      fullSweepHours: z.number().int().min(1).default(24),
      logRetentionDays: z.number().int().min(1).max(3650).default(90),
      /** Every Google, token and Severa request that has not answered by then fails and is retried. */
      requestTimeoutSeconds: z.number().int().min(1).max(600).default(30),
    })
    .prefault({}),
  app: z
    .object({
      language: z.enum(['system', 'fi', 'en']).default('system'),
      startAtLogin: z.boolean().default(false),
      backgroundPaused: z.boolean().default(false),
      demo: z.boolean().default(false),
      checklist: z.partialRecord(z.enum(STEP_IDS), z.boolean()).default({}),
      /** The diagnostic that ticked a step automatically (the checklist shows it). */
      checklistProvedBy: z.partialRecord(z.enum(STEP_IDS), z.string()).default({}),
    })
    .prefault({}),
});

export type Settings = z.infer<typeof settingsSchema>;
export type SettingsInput = z.input<typeof settingsSchema>;

export type DeepPartial<T> = {
  [K in keyof T]?: T[K] extends object ? (T[K] extends unknown[] ? T[K] : DeepPartial<T[K]>) : T[K];
};

export const defaultSettings = (): Settings => settingsSchema.parse({});

/** Core reads and writes settings only through this (the app and the CLI use the same file). */
export interface SettingsStore {
  get(): Settings;
  update(patch: DeepPartial<Settings>): Settings;
}

export function mergeSettings(current: Settings, patch: DeepPartial<Settings>): Settings {
  const merged: Record<string, unknown> = { ...current };
  for (const [section, values] of Object.entries(patch)) {
    const base = (current as Record<string, unknown>)[section];
    merged[section] =
      values &&
      typeof values === 'object' &&
      !Array.isArray(values) &&
      base &&
      typeof base === 'object'
        ? { ...(base as object), ...(values as object) }
        : values;
  }
  return settingsSchema.parse(merged);
}

/** Settings in one JSON file, written atomically (temp file + rename). */
export class FileSettingsStore implements SettingsStore {
  constructor(private readonly file: string) {}

  get(): Settings {
    let raw: unknown = {};
    try {
      raw = JSON.parse(readFileSync(this.file, 'utf8'));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    return settingsSchema.parse(raw);
  }

  update(patch: DeepPartial<Settings>): Settings {
    const next = mergeSettings(this.get(), patch);
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(next, null, 2) + '\n', { mode: 0o600 });
    renameSync(tmp, this.file);
    return next;
  }
}

/** Whether an endpoint is not the real service (the UI shows a banner then, design D4). */
export function nonRealEndpoints(s: Settings): string[] {
  const out: string[] = [];
  if (s.google.apiRoot !== REAL_GOOGLE_API_ROOT) out.push(s.google.apiRoot);
  if (s.google.tokenUrl !== REAL_GOOGLE_TOKEN_URL) out.push(s.google.tokenUrl);
  if (s.severa.apiRoot !== REAL_SEVERA_API_ROOT) out.push(s.severa.apiRoot);
  return out;
}
