import type Database from 'libsql';
import { createRequire } from 'node:module';
import { AppError } from '../errors';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { HeldKind, Link, SeveraFacts } from './plan';
import type { Origin } from './mapping';
import type { Localized } from '../localized';
import type { LogEntry, LogQuery, MessageFrom } from './sync-log';

/**
 * The sync state in SQLite (design D5): the linked pairs with the last agreed hashes, each
 * user's Google sync token and state, the Severa watermark and sweep times, the runs and the
 * sync log. One file in the profile; schema version in `PRAGMA user_version`, migrations below.
 */
const MIGRATIONS: string[] = [
  `CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
   CREATE TABLE links (
     user TEXT NOT NULL, severa_guid TEXT NOT NULL, google_id TEXT NOT NULL, origin TEXT NOT NULL,
     severa_hash TEXT NOT NULL, google_hash TEXT NOT NULL, severa_updated TEXT, google_updated TEXT,
     start TEXT NOT NULL, held TEXT,
     PRIMARY KEY (user, severa_guid));
   CREATE UNIQUE INDEX links_google ON links (user, google_id);
   CREATE INDEX links_guid ON links (severa_guid);
   CREATE TABLE users (
     email TEXT PRIMARY KEY, sync_token TEXT, state TEXT NOT NULL, reason TEXT, step TEXT, last_run_at TEXT);
   CREATE TABLE runs (
     id INTEGER PRIMARY KEY AUTOINCREMENT, started_at TEXT NOT NULL, finished_at TEXT, dry_run INTEGER NOT NULL,
     ok INTEGER, summary TEXT);
   CREATE TABLE log (
     id INTEGER PRIMARY KEY AUTOINCREMENT, time TEXT NOT NULL, run_id INTEGER, user TEXT, level TEXT NOT NULL,
     direction TEXT, action TEXT NOT NULL, severa_guid TEXT, google_id TEXT, result TEXT NOT NULL,
     error_type TEXT, message TEXT, step TEXT, details TEXT);
   CREATE INDEX log_time ON log (time);
   CREATE INDEX log_user ON log (user, time);`,
  // Issue 10: the etag a write was made against (If-Match), the organiser of a Google copy the
  // user does not organise, each user's listed window, and items that keep failing.
  `ALTER TABLE links ADD COLUMN google_etag TEXT;
   ALTER TABLE links ADD COLUMN google_organizer TEXT;
   ALTER TABLE users ADD COLUMN window_start TEXT;
   ALTER TABLE users ADD COLUMN window_end TEXT;
   CREATE TABLE item_failures (
     user TEXT NOT NULL, item TEXT NOT NULL, action TEXT NOT NULL, severa_guid TEXT, google_id TEXT,
     failures INTEGER NOT NULL, first_failed_at TEXT NOT NULL, last_failed_at TEXT NOT NULL,
     error_type TEXT, message TEXT, step TEXT, quarantined_at TEXT,
     retry_requested INTEGER NOT NULL DEFAULT 0,
     PRIMARY KEY (user, item));
   CREATE TABLE claims (user TEXT NOT NULL, google_id TEXT NOT NULL, at TEXT NOT NULL,
     pid INTEGER NOT NULL, PRIMARY KEY (user, google_id));`,
  // The admin's view: every entry names its item's title and start; a user's state has a since.
  `ALTER TABLE log ADD COLUMN title TEXT;
   ALTER TABLE log ADD COLUMN start TEXT;
   CREATE INDEX log_item ON log (user, severa_guid);
   ALTER TABLE users ADD COLUMN state_since TEXT;`,
  // Our own words in both languages beside the English ones (the UI speaks the admin's
  // language), and whose words a message is (the server's are shown as it sent them).
  `ALTER TABLE log ADD COLUMN text TEXT;
   ALTER TABLE log ADD COLUMN message_from TEXT;
   ALTER TABLE users ADD COLUMN reason_text TEXT;
   ALTER TABLE item_failures ADD COLUMN text TEXT;
   ALTER TABLE item_failures ADD COLUMN message_from TEXT;`,
  // Issue 12: what a link knows of the Severa side beyond the synced fields (so a run decides
  // without reading the activity again), and when each user's Severa side was last listed whole.
  `ALTER TABLE links ADD COLUMN severa_facts TEXT;
   ALTER TABLE users ADD COLUMN severa_swept_at TEXT;`,
];

export const STATE_SCHEMA_VERSION = MIGRATIONS.length;

export type UserSyncState = 'ok' | 'stopped' | 'error' | 'no-google';

export interface UserRow {
  email: string;
  syncToken: string | null;
  state: UserSyncState;
  reason: string | null;
  step: string | null;
  lastRunAt: string | null;
  /** The Google window the user's links were last reconciled over (moves with the token). */
  windowStart?: string | null;
  windowEnd?: string | null;
  /** When the user entered this state (the run that put them there). */
  stateSince?: string | null;
  /**
   * When the run that last listed the user's whole Severa window (userGuids + includeAsMember)
   * and reconciled it started; null: never (the next run lists it). Moves with the token.
   */
  severaSweptAt?: string | null;
  /** The reason in both languages, when it is ours (else `reason` is the server's words). */
  reasonText?: Localized | null;
}

/** An item whose action failed in a run; quarantined once it keeps failing for good. */
export interface ItemFailure {
  user: string;
  /** `severa:<guid>` or `google:<event id>`: what the action was about. */
  item: string;
  action: string;
  severaGuid: string | null;
  googleId: string | null;
  /** Runs in a row in which it failed. */
  failures: number;
  firstFailedAt: string;
  lastFailedAt: string;
  errorType: string | null;
  message: string | null;
  /** Whose words `message` is (null: ours, then `text` has them in both languages). */
  messageFrom?: MessageFrom | null;
  /** Our diagnosis in both languages. */
  text?: Localized | null;
  step: string | null;
  quarantinedAt: string | null;
  /** The admin asked to try it again (the next run re-reads it on both sides). */
  retryRequested: boolean;
}

/** What the log remembers of an item: its title and start as the last action saw them. */
export interface ItemFacts {
  title: string | null;
  start: string | null;
}

export interface RunRow {
  id: number;
  startedAt: string;
  finishedAt: string | null;
  dryRun: boolean;
  ok: boolean | null;
  summary: unknown;
}

export interface LinkKey {
  user: string;
  severaGuid: string;
}

/** What one applied action changes in the state: written in one transaction with its log. */
export interface StateChange {
  upsert?: Link[];
  remove?: LinkKey[];
  log?: LogEntry[];
}

type Row = Record<string, unknown>;
const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const localizedFrom = (v: unknown): Localized | null =>
  v === null || v === undefined ? null : (JSON.parse(String(v)) as Localized);
const jsonOf = (text: Localized | null | undefined): string | null =>
  text ? JSON.stringify({ fi: text.fi, en: text.en }) : null;

const linkFromRow = (r: Row): Link => ({
  user: String(r.user),
  severaGuid: String(r.severa_guid),
  googleId: String(r.google_id),
  origin: r.origin as Origin,
  severaHash: String(r.severa_hash),
  googleHash: String(r.google_hash),
  severaUpdated: str(r.severa_updated),
  googleUpdated: str(r.google_updated),
  start: String(r.start),
  held: str(r.held) as HeldKind | null,
  // Left out when unknown, so a link reads back as it was written.
  ...(r.google_etag != null && { googleEtag: String(r.google_etag) }),
  ...(r.google_organizer != null && { googleOrganizer: String(r.google_organizer) }),
  ...(r.severa_facts != null && {
    severaFacts: JSON.parse(String(r.severa_facts)) as SeveraFacts,
  }),
});

const failureFromRow = (r: Row): ItemFailure => ({
  user: String(r.user),
  item: String(r.item),
  action: String(r.action),
  severaGuid: str(r.severa_guid),
  googleId: str(r.google_id),
  failures: Number(r.failures),
  firstFailedAt: String(r.first_failed_at),
  lastFailedAt: String(r.last_failed_at),
  errorType: str(r.error_type),
  message: str(r.message),
  messageFrom: str(r.message_from) as MessageFrom | null,
  text: localizedFrom(r.text),
  step: str(r.step),
  quarantinedAt: str(r.quarantined_at),
  retryRequested: Number(r.retry_requested) === 1,
});

const logFromRow = (r: Row): LogEntry => ({
  id: Number(r.id),
  time: String(r.time),
  runId: r.run_id === null ? null : Number(r.run_id),
  user: str(r.user),
  level: r.level as LogEntry['level'],
  direction: str(r.direction) as LogEntry['direction'],
  action: String(r.action),
  severaGuid: str(r.severa_guid),
  googleId: str(r.google_id),
  result: r.result as LogEntry['result'],
  errorType: str(r.error_type),
  message: str(r.message),
  messageFrom: str(r.message_from) as MessageFrom | null,
  text: localizedFrom(r.text),
  step: str(r.step),
  details: r.details ? (JSON.parse(String(r.details)) as Record<string, unknown>) : null,
  title: str(r.title),
  start: str(r.start),
});

/**
 * libsql is loaded on first use (as keytar is): its native binary exists only for the platform
 * that installed it, and a missing one must reach the log and the user as an error that says
 * so, not end the process before anything can report it.
 */
let libsql: typeof Database | null = null;
export function loadLibsql(): typeof Database {
  try {
    return (libsql ??= createRequire(import.meta.url)('libsql') as typeof Database);
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message.split('\n')[0] : String(cause);
    throw new AppError(
      'state-database-unavailable',
      'support.error-log',
      {
        fi: `Synkronoinnin tietokantaa (libsql) ei voitu ladata tälle järjestelmälle: ${detail}. Asenna tälle käyttöjärjestelmälle ja suoritinarkkitehtuurille tehty versio.`,
        en: `The sync database (libsql) could not be loaded on this system: ${detail}. Install the build made for this operating system and processor architecture.`,
      },
      { cause },
    );
  }
}

export class SyncState {
  private readonly statements = new Map<string, Database.Statement<unknown[]>>();
  private constructor(private readonly db: Database.Database) {}

  /** Prepared once per SQL text: a run records thousands of items. */
  private sql(text: string): Database.Statement<unknown[]> {
    let statement = this.statements.get(text);
    if (!statement) {
      statement = this.db.prepare(text);
      this.statements.set(text, statement);
    }
    return statement;
  }

  /** `:memory:` for tests; otherwise the profile's state.db (created with its folder). */
  static open(file: string): SyncState {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    const db = new (loadLibsql())(file);
    db.pragma('journal_mode = WAL');
    db.pragma('busy_timeout = 5000');
    // WAL + NORMAL: a crash of the app loses nothing committed; only power loss can drop the
    // last few commits, which the next run re-adopts (design D7). FULL costs an fsync per item.
    db.pragma('synchronous = NORMAL');
    const state = new SyncState(db);
    state.migrate();
    return state;
  }

  private migrate(): void {
    const current = this.schemaVersion();
    if (current > MIGRATIONS.length) {
      throw new Error(
        `The sync state was written by a newer version (schema ${current} > ${MIGRATIONS.length}).`,
      );
    }
    for (let v = current; v < MIGRATIONS.length; v++) {
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[v] as string);
        this.db.pragma(`user_version = ${v + 1}`);
      })();
    }
  }

  schemaVersion(): number {
    return Number((this.sql('PRAGMA user_version').get() as Row).user_version ?? 0);
  }

  close(): void {
    this.db.close();
  }

  // ---- meta ----

  getMeta(key: string): string | null {
    const row = this.sql('SELECT value FROM meta WHERE key = ?').get(key) as Row | undefined;
    return row ? String(row.value) : null;
  }

  setMeta(key: string, value: string | null): void {
    if (value === null) this.sql('DELETE FROM meta WHERE key = ?').run(key);
    else
      this.sql(
        'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
      ).run(key, value);
  }

  // ---- links ----

  linksForUser(user: string): Link[] {
    return (this.sql('SELECT * FROM links WHERE user = ?').all(user) as Row[]).map(linkFromRow);
  }

  /**
   * The user's links an incremental run can act on: to these events or activities, starting
   * in [from, to] (ISO; a sweep's window), or held. The others have nothing to decide.
   */
  linksToDecide(
    user: string,
    ids: { googleIds: string[]; severaGuids: string[]; from: string | null; to: string | null },
  ): Link[] {
    return (
      this.sql(
        `SELECT * FROM links WHERE user = ? AND (held IS NOT NULL
           OR google_id IN (SELECT value FROM json_each(?))
           OR severa_guid IN (SELECT value FROM json_each(?))
           OR (start >= ? AND start <= ?))`,
      ).all(
        user,
        JSON.stringify(ids.googleIds),
        JSON.stringify(ids.severaGuids),
        ids.from ?? '',
        ids.to ?? '',
      ) as Row[]
    ).map(linkFromRow);
  }

  countLinksForUser(user: string): number {
    return Number((this.sql('SELECT count(*) AS n FROM links WHERE user = ?').get(user) as Row).n);
  }

  /** Every user's link to this activity. */
  linksOfActivity(severaGuid: string): Link[] {
    return (this.sql('SELECT * FROM links WHERE severa_guid = ?').all(severaGuid) as Row[]).map(
      linkFromRow,
    );
  }

  /** Every user's links to these activities, by activity: one query instead of one each. */
  linksOfActivities(severaGuids: Iterable<string>): Map<string, Link[]> {
    const byActivity = new Map<string, Link[]>();
    const rows = this.sql(
      'SELECT * FROM links WHERE severa_guid IN (SELECT value FROM json_each(?))',
    ).all(JSON.stringify([...severaGuids])) as Row[];
    for (const l of rows.map(linkFromRow)) {
      const list = byActivity.get(l.severaGuid);
      if (list) list.push(l);
      else byActivity.set(l.severaGuid, [l]);
    }
    return byActivity;
  }

  allLinks(): Link[] {
    return (this.sql('SELECT * FROM links').all() as Row[]).map(linkFromRow);
  }

  /** Distinct linked activities whose Severa start is in [start, end): a listing's expected size. */
  activitiesStartingIn(start: string, end: string): number {
    return Number(
      (
        this.sql(
          'SELECT count(DISTINCT severa_guid) AS n FROM links WHERE start >= ? AND start < ?',
        ).get(start, end) as Row
      ).n,
    );
  }

  countLinks(): number {
    return Number((this.sql('SELECT count(*) AS n FROM links').get() as Row).n);
  }

  /** Synced items per user, for `status`. */
  linkCounts(): Map<string, number> {
    const rows = this.sql('SELECT user, count(*) AS n FROM links GROUP BY user').all() as Row[];
    return new Map(rows.map((r) => [String(r.user), Number(r.n)]));
  }

  heldLinks(user?: string): Link[] {
    const rows = user
      ? this.sql('SELECT * FROM links WHERE held IS NOT NULL AND user = ?').all(user)
      : this.sql('SELECT * FROM links WHERE held IS NOT NULL').all();
    return (rows as Row[]).map(linkFromRow);
  }

  /** Applies one action's outcome and its log entries together, or nothing (crash safety). */
  record(change: StateChange): void {
    this.atomically(() => {
      for (const key of change.remove ?? []) {
        this.sql('DELETE FROM links WHERE user = ? AND severa_guid = ?').run(
          key.user,
          key.severaGuid,
        );
      }
      for (const l of change.upsert ?? []) {
        this.sql(
          `INSERT OR REPLACE INTO links (user, severa_guid, google_id, origin, severa_hash, google_hash,
               severa_updated, google_updated, start, held, google_etag, google_organizer, severa_facts)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(
          l.user,
          l.severaGuid,
          l.googleId,
          l.origin,
          l.severaHash,
          l.googleHash,
          l.severaUpdated,
          l.googleUpdated,
          l.start,
          l.held,
          l.googleEtag ?? null,
          l.googleOrganizer ?? null,
          l.severaFacts ? JSON.stringify(l.severaFacts) : null,
        );
      }
      for (const entry of change.log ?? []) this.insertLog(entry);
    });
  }

  /** One transaction with prepared BEGIN/COMMIT (libsql's `transaction()` re-parses them). */
  private atomically(work: () => void): void {
    this.sql('BEGIN IMMEDIATE').run();
    try {
      work();
      this.sql('COMMIT').run();
    } catch (e) {
      this.sql('ROLLBACK').run();
      throw e;
    }
  }

  // ---- users ----

  getUser(email: string): UserRow | null {
    const r = this.sql('SELECT * FROM users WHERE email = ?').get(email) as Row | undefined;
    return r ? userFromRow(r) : null;
  }

  listUsers(): UserRow[] {
    return (this.sql('SELECT * FROM users ORDER BY email').all() as Row[]).map(userFromRow);
  }

  /** Fields left out keep their value; `syncToken: null` drops the token (next run lists in full). */
  setUser(email: string, fields: Partial<Omit<UserRow, 'email'>>): void {
    const current = this.getUser(email) ?? {
      email,
      syncToken: null,
      state: 'ok',
      reason: null,
      step: null,
      lastRunAt: null,
    };
    // A new reason without its own words drops the old reason's words.
    const reasonText = fields.reasonText ?? ('reason' in fields ? null : current.reasonText);
    const next = { ...current, ...fields, reasonText };
    this.sql(
      `INSERT OR REPLACE INTO users (email, sync_token, state, reason, step, last_run_at, window_start, window_end,
           severa_swept_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      email,
      next.syncToken,
      next.state,
      next.reason,
      next.step,
      next.lastRunAt,
      next.windowStart ?? null,
      next.windowEnd ?? null,
      next.severaSweptAt ?? null,
    );
    const changed = !current.stateSince || current.state !== next.state;
    const since = changed ? (next.lastRunAt ?? new Date().toISOString()) : current.stateSince;
    this.sql('UPDATE users SET state_since = ?, reason_text = ? WHERE email = ?').run(
      since ?? null,
      jsonOf(next.reasonText),
      email,
    );
  }

  // ---- claims: one run creates an activity from a given event ----

  /**
   * Claims an event for the run about to create an activity from it: false when the event is
   * linked already (to another activity than `replacing`, the link the new one replaces) or
   * another run holds the claim. A claim from before `staleBefore`, or of a process `alive`
   * says is gone (a killed run), is taken over. Runs of one profile share this database, so two
   * of them never both create one.
   */
  claimEvent(
    claim: { user: string; googleId: string; at: string; pid: number },
    staleBefore: string,
    alive: (pid: number) => boolean,
    replacing: string | null = null,
  ): boolean {
    const { user, googleId } = claim;
    let claimed = false;
    this.atomically(() => {
      const linked = this.sql(
        'SELECT 1 FROM links WHERE user = ? AND google_id = ? AND severa_guid IS NOT ?',
      ).get(user, googleId, replacing);
      if (linked) return;
      const held = this.sql('SELECT at, pid FROM claims WHERE user = ? AND google_id = ?').get(
        user,
        googleId,
      ) as Row | undefined;
      if (held && String(held.at) >= staleBefore && alive(Number(held.pid))) return;
      this.sql('INSERT OR REPLACE INTO claims (user, google_id, at, pid) VALUES (?, ?, ?, ?)').run(
        user,
        googleId,
        claim.at,
        claim.pid,
      );
      claimed = true;
    });
    return claimed;
  }

  releaseEvent(user: string, googleId: string): void {
    this.sql('DELETE FROM claims WHERE user = ? AND google_id = ?').run(user, googleId);
  }

  // ---- items that keep failing ----

  failures(user?: string): ItemFailure[] {
    const rows = user
      ? this.sql('SELECT * FROM item_failures WHERE user = ? ORDER BY last_failed_at').all(user)
      : this.sql('SELECT * FROM item_failures ORDER BY user, last_failed_at').all();
    return (rows as Row[]).map(failureFromRow);
  }

  /** Counts one more failing run for the item; returns its row. */
  recordFailure(
    f: Pick<ItemFailure, 'user' | 'item' | 'action' | 'severaGuid' | 'googleId'> &
      Pick<ItemFailure, 'errorType' | 'message' | 'step' | 'messageFrom' | 'text'>,
    at: string,
  ): ItemFailure {
    this.sql(
      `INSERT INTO item_failures (user, item, action, severa_guid, google_id, failures, first_failed_at,
           last_failed_at, error_type, message, step, message_from, text)
         VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(user, item) DO UPDATE SET action = excluded.action, failures = failures + 1,
           last_failed_at = excluded.last_failed_at, error_type = excluded.error_type,
           message = excluded.message, step = excluded.step, message_from = excluded.message_from,
           text = excluded.text, retry_requested = 0`,
    ).run(
      f.user,
      f.item,
      f.action,
      f.severaGuid,
      f.googleId,
      at,
      at,
      f.errorType,
      f.message,
      f.step,
      f.messageFrom ?? null,
      jsonOf(f.text),
    );
    const row = this.sql('SELECT * FROM item_failures WHERE user = ? AND item = ?').get(
      f.user,
      f.item,
    ) as Row;
    return failureFromRow(row);
  }

  quarantine(user: string, item: string, at: string): void {
    this.sql('UPDATE item_failures SET quarantined_at = ? WHERE user = ? AND item = ?').run(
      at,
      user,
      item,
    );
  }

  clearFailure(user: string, item: string): void {
    this.sql('DELETE FROM item_failures WHERE user = ? AND item = ?').run(user, item);
  }

  /** The admin's "retry": the next run reads the item again on both sides and decides anew. */
  requestRetry(user?: string, item?: string): number {
    const where = [user && 'user = ?', item && 'item = ?'].filter(Boolean).join(' AND ');
    const params = [user, item].filter((v): v is string => Boolean(v));
    return this.sql(
      `UPDATE item_failures SET retry_requested = 1 WHERE quarantined_at IS NOT NULL${where ? ` AND ${where}` : ''}`,
    ).run(...params).changes;
  }

  // ---- runs ----

  startRun(startedAt: string, dryRun: boolean): number {
    const r = this.sql('INSERT INTO runs (started_at, dry_run) VALUES (?, ?)').run(
      startedAt,
      dryRun ? 1 : 0,
    );
    return Number(r.lastInsertRowid);
  }

  finishRun(id: number, finishedAt: string, ok: boolean, summary: unknown): void {
    this.sql('UPDATE runs SET finished_at = ?, ok = ?, summary = ? WHERE id = ?').run(
      finishedAt,
      ok ? 1 : 0,
      JSON.stringify(summary),
      id,
    );
  }

  lastRun(options: { includeDryRuns?: boolean } = {}): RunRow | null {
    const sql = options.includeDryRuns
      ? 'SELECT * FROM runs ORDER BY id DESC LIMIT 1'
      : 'SELECT * FROM runs WHERE dry_run = 0 ORDER BY id DESC LIMIT 1';
    const r = this.sql(sql).get() as Row | undefined;
    if (!r) return null;
    return {
      id: Number(r.id),
      startedAt: String(r.started_at),
      finishedAt: str(r.finished_at),
      dryRun: Number(r.dry_run) === 1,
      ok: r.ok === null ? null : Number(r.ok) === 1,
      summary: r.summary ? JSON.parse(String(r.summary)) : null,
    };
  }

  // ---- the sync log ----

  insertLog(e: LogEntry): void {
    this.sql(
      `INSERT INTO log (time, run_id, user, level, direction, action, severa_guid, google_id, result, error_type,
           message, step, details, title, start, message_from, text)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      e.time,
      e.runId,
      e.user,
      e.level,
      e.direction,
      e.action,
      e.severaGuid,
      e.googleId,
      e.result,
      e.errorType,
      e.message,
      e.step,
      e.details ? JSON.stringify(e.details) : null,
      e.title ?? null,
      e.start ?? null,
      e.messageFrom ?? null,
      jsonOf(e.text),
    );
  }

  /**
   * The item's title and start from its latest entry that had them (null when none did): by
   * the activity, else by the event (an entry from before the activity existed names only it).
   */
  itemFacts(user: string, severaGuid: string | null, googleId: string | null): ItemFacts | null {
    const latest = (column: 'severa_guid' | 'google_id', id: string | null) =>
      id
        ? (this.sql(
            `SELECT title, start FROM log WHERE user = ? AND ${column} = ? AND title IS NOT NULL
             ORDER BY id DESC LIMIT 1`,
          ).get(user, id) as Row | undefined)
        : undefined;
    const r = latest('severa_guid', severaGuid) ?? latest('google_id', googleId);
    return r ? { title: str(r.title), start: str(r.start) } : null;
  }

  /** When the current holding of this item's deletion began: its first held entry since it was last anything else. */
  heldSince(user: string, severaGuid: string): string | null {
    const r = this.sql(
      `SELECT min(time) AS since FROM log WHERE user = ? AND severa_guid = ? AND result = 'held'
         AND id > coalesce((SELECT max(id) FROM log WHERE user = ? AND severa_guid = ? AND result != 'held'), 0)`,
    ).get(user, severaGuid, user, severaGuid) as Row | undefined;
    return str(r?.since);
  }

  queryLog(q: LogQuery = {}): LogEntry[] {
    const where: string[] = [];
    const params: unknown[] = [];
    if (q.since) {
      where.push('time >= ?');
      params.push(q.since);
    }
    if (q.user) {
      where.push('user = ?');
      params.push(q.user);
    }
    if (q.levels?.length) {
      where.push(`level IN (${q.levels.map(() => '?').join(', ')})`);
      params.push(...q.levels);
    }
    if (q.runId !== undefined) {
      where.push('run_id = ?');
      params.push(q.runId);
    }
    const sql = `SELECT * FROM log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
    const rows = this.sql(sql).all(...params, q.limit ?? 1000) as Row[];
    return rows.map(logFromRow).reverse();
  }

  /** Retention (settings.sync.logRetentionDays): drops entries older than `before`. */
  pruneLog(before: string): number {
    return this.sql('DELETE FROM log WHERE time < ?').run(before).changes;
  }

  /** `reset` (design `pre.account-change`): forget every link, token, watermark and account. */
  reset(): void {
    this.db.transaction(() => {
      this.db.exec(
        'DELETE FROM links; DELETE FROM users; DELETE FROM meta; DELETE FROM item_failures; DELETE FROM claims;',
      );
    })();
  }
}

const userFromRow = (r: Row): UserRow => ({
  email: String(r.email),
  syncToken: str(r.sync_token),
  state: r.state as UserSyncState,
  reason: str(r.reason),
  step: str(r.step),
  lastRunAt: str(r.last_run_at),
  ...(r.window_start != null && { windowStart: String(r.window_start) }),
  ...(r.window_end != null && { windowEnd: String(r.window_end) }),
  stateSince: str(r.state_since),
  severaSweptAt: str(r.severa_swept_at),
  reasonText: localizedFrom(r.reason_text),
});
