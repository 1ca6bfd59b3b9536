import Database from 'libsql';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { AppError } from '../errors';
import { localized } from '../localized';

/**
 * Profile locks: one sync run per profile at a time (the app's, `sync`'s and the daemon's runs,
 * held deletions answered, `reset`), and one daemon per profile. A lock is an exclusive SQLite
 * transaction on a small lock file, i.e. an OS file lock: the kernel drops it when its process
 * dies, so a killed run never leaves a stale lock, and two processes can never both hold it
 * (a pid file checked and then replaced could be taken twice). Who holds it is written beside
 * it, for the message the next one gets.
 */
export type LockName = 'run' | 'daemon';

export interface LockHolder {
  pid: number;
  /** What holds it: `sync`, `daemon`, `app`, `reset`… */
  owner: string;
  host: string;
  since: string;
}

export interface ProfileLock {
  release(): void;
}

export interface LockOptions {
  owner: string;
  /** How long to wait for the holder to finish (0: refuse at once). */
  waitMs?: number;
  signal?: AbortSignal;
  pollMs?: number;
}

const holderFile = (dir: string, name: LockName) => join(dir, `${name}.lock.json`);

function readHolder(dir: string, name: LockName): LockHolder | null {
  try {
    return JSON.parse(readFileSync(holderFile(dir, name), 'utf8')) as LockHolder;
  } catch {
    return null;
  }
}

const isBusy = (e: unknown) => /^SQLITE_(BUSY|LOCKED)/.test(String((e as { code?: unknown }).code));

export const profileLockedError = (name: LockName, holder: LockHolder | null, waitedMs: number) => {
  const who = holder
    ? `${holder.owner} (process ${holder.pid} on ${holder.host}, since ${holder.since})`
    : 'another process';
  const waited = waitedMs > 0 ? ` ${Math.round(waitedMs / 1000)} s` : '';
  return name === 'daemon'
    ? new AppError(
        'daemon-already-running',
        'app.schedule',
        localized(
          `Tälle profiilille on jo käynnissä taustasynkronointi: ${who}. Pysäytä se ensin tai käytä toista profiilia.`,
          `A background sync is already running for this profile: ${who}. Stop it first or use another profile.`,
        ),
      )
    : new AppError(
        'sync-already-running',
        'pre.other-sync',
        localized(
          `Tämän profiilin synkronointi on jo käynnissä: ${who}. Odotettiin${waited}; yritä uudelleen, kun se on valmis.`,
          `A sync of this profile is already running: ${who}. Waited${waited || ' 0 s'}; try again when it has finished.`,
        ),
      );
};

/** Takes the profile's lock `name`, waiting up to `waitMs` for its holder; else a clear refusal. */
export async function acquireProfileLock(
  dir: string,
  name: LockName,
  options: LockOptions,
): Promise<ProfileLock> {
  mkdirSync(dir, { recursive: true });
  const db = new Database(join(dir, `${name}.lock`));
  // Never block the event loop on the lock: poll instead.
  db.pragma('busy_timeout = 0');
  const started = Date.now();
  for (;;) {
    try {
      db.exec('BEGIN EXCLUSIVE');
      break;
    } catch (e) {
      const waited = Date.now() - started;
      if (!isBusy(e) || waited >= (options.waitMs ?? 0) || options.signal?.aborted) {
        db.close();
        throw isBusy(e) ? profileLockedError(name, readHolder(dir, name), waited) : e;
      }
      await delay(options.pollMs ?? 200);
    }
  }
  const holder: LockHolder = {
    pid: process.pid,
    owner: options.owner,
    host: hostname(),
    since: new Date().toISOString(),
  };
  writeFileSync(holderFile(dir, name), JSON.stringify(holder) + '\n', { mode: 0o600 });
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      if (readHolder(dir, name)?.pid === process.pid)
        rmSync(holderFile(dir, name), { force: true });
      db.exec('ROLLBACK');
      db.close();
    },
  };
}

/** Runs `work` holding the profile's run lock. */
export async function withRunLock<T>(
  dir: string,
  options: LockOptions,
  work: () => Promise<T>,
): Promise<T> {
  const lock = await acquireProfileLock(dir, 'run', options);
  try {
    return await work();
  } finally {
    lock.release();
  }
}
