import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
const MAIN = join(ROOT, 'dist/app/main.js');
const REGISTER = join(ROOT, 'test/helpers/electron-recorder/register.mjs');

/** What the recorder reports (test/helpers/electron-recorder/electron.mjs, `snapshot`). */
export interface Snapshot {
  calls: string[];
  schemes: { scheme: string; privileges: Record<string, boolean> }[];
  protocols: string[];
  windows: {
    preload: string;
    webPreferences: Record<string, unknown>;
    icon: string;
    loaded: string[];
    visible: boolean;
  }[];
  trays: {
    images: string[];
    tooltip: string;
    tooltips: string[];
    destroyed: boolean;
    menu: { id: string; label: string; enabled: boolean }[];
  }[];
  images: string[];
  appMenu: unknown[];
  notifications: { title: string; body: string }[];
  dialogs: { kind: string; title?: string; content?: string; message?: string }[];
  opened: string[];
  updater: Record<string, boolean>[];
  exposedInternals: boolean;
}

/** Polls `read` until `ok`; the error names the last value (and `context()`, e.g. stderr). */
export async function until<T>(
  read: () => Promise<T>,
  ok: (value: T) => boolean,
  timeoutMs = 60_000,
  context: () => string = () => '',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline)
      throw new Error(
        `Timed out; last value: ${JSON.stringify(value).slice(0, 2000)}\n${context()}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * The BUILT main process (dist/app/main.js) in a child Node with `electron` resolved to the
 * recorder, driven over the fork IPC channel. `exited` resolves with the exit code.
 */
export class BuiltApp {
  readonly profile = mkdtempSync(join(tmpdir(), 'built-app-'));
  readonly exited: Promise<number | null>;
  readonly stderr: string[] = [];
  /** dialog.showErrorBox calls, sent as events (the process may exit right after one). */
  readonly errorBoxes: string[] = [];
  private readonly child: ChildProcess;
  private nextId = 1;
  private readonly pending = new Map<
    number,
    (reply: { result?: unknown; error?: string }) => void
  >();

  constructor(options: { args?: string[]; env?: Record<string, string> } = {}) {
    if (!existsSync(MAIN))
      throw new Error('dist/app/main.js is missing: run node scripts/build.mjs');
    this.child = fork(MAIN, [`--user-data-dir=${this.profile}`, ...(options.args ?? [])], {
      execArgv: ['--import', REGISTER],
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    this.child.stderr!.on('data', (chunk: Buffer) => this.stderr.push(chunk.toString()));
    type Message = {
      id?: number;
      result?: unknown;
      error?: string;
      event?: string;
      content?: string;
    };
    this.child.on('message', (message: Message) => {
      if (message.event === 'error-box') this.errorBoxes.push(message.content ?? '');
      if (message.id !== undefined) this.pending.get(message.id)?.(message);
    });
    this.exited = new Promise((done) => this.child.on('exit', (code) => done(code)));
  }

  async send<T>(cmd: string, args: Record<string, unknown> = {}): Promise<T> {
    const id = this.nextId++;
    const reply = await new Promise<{ result?: unknown; error?: string }>((done, fail) => {
      this.pending.set(id, done);
      this.child.send({ id, cmd, ...args }, (e) => e && fail(e));
    });
    this.pending.delete(id);
    if (reply.error) throw new Error(`recorder ${cmd}: ${reply.error}`);
    return reply.result as T;
  }

  snapshot = () => this.send<Snapshot>('snapshot');

  until = <T>(read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 60_000) =>
    until(read, ok, timeoutMs, () => this.stderr.join(''));

  debugLog = () => {
    const file = join(this.profile, 'logs', 'debug.log');
    return existsSync(file) ? readFileSync(file, 'utf8') : '';
  };

  async dispose(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill();
    await this.exited;
    rmSync(this.profile, { recursive: true, force: true });
  }
}
