import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { ManualClock } from '../src/core/clock.js';
import { DEFAULTS, type MaestroConfig } from '../src/core/config.js';
import { type Runtime, SILENT_NOTICES } from '../src/core/runtime.js';
import { type NewSessionExtras, newSessionRow } from '../src/core/sessions/session-records.js';
import type { EventType, MaestroEvent, SessionRuntime } from '../src/domain/index.js';
import { createMaestro, type Maestro, type MaestroParts } from '../src/maestro.js';
import { TmuxSessionManager } from '../src/runtime/tmux.js';
import type { SessionRow, Store } from '../src/store/index.js';

/** Runs registered cleanups in reverse order (graphile-worker's withReleasers); the first error wins. */
export class Cleanup {
  private readonly steps: (() => unknown)[] = [];
  add(step: () => unknown): void {
    this.steps.push(step);
  }
  async run(): Promise<void> {
    let first: unknown;
    for (const step of this.steps.splice(0).reverse()) {
      try {
        await step();
      } catch (err) {
        first ??= err;
      }
    }
    if (first) throw first;
  }
}

/** A fresh temporary directory, removed by `cleanup`. */
export function tempDir(cleanup: Cleanup, prefix = 'maestro-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanup.add(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

let socketCounter = 0;
/** A private tmux socket name for this test process; its server is killed by `cleanup`. */
export function tmuxSocket(cleanup: Cleanup): string {
  const socket = `maestro-test-${process.pid}-${++socketCounter}`;
  cleanup.add(async () => {
    await new TmuxSessionManager({ socket }).killServer();
    // tmux may leave its socket file behind after the server exits.
    rmSync(join(process.env.TMUX_TMPDIR ?? '/tmp', `tmux-${process.getuid?.() ?? 0}`, socket), { force: true });
  });
  return socket;
}

/** Whether this run is CI's (`CI=true`, as GitHub Actions and most CI systems set it). */
export const underCi = (): boolean => ['true', '1'].includes((process.env.CI ?? '').toLowerCase());

/**
 * What a test file does when a service it needs (PostgreSQL) does not answer: under CI the file
 * fails, naming the service, so a suite never vanishes from a green run; locally it prints one
 * loud line saying what did not run and the file's tests are skipped.
 * @throws Error naming the service and what did not run, under CI
 */
export function serviceUnavailable(service: string, what: string): void {
  const shown = service.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@'); // no password in logs
  const message = `${shown} is not reachable: ${what} did NOT run`;
  if (underCi()) throw new Error(`${message} (CI=true requires it; run scripts/ensure-test-services.sh)`);
  process.stderr.write(`\n!!! SKIPPED — ${message} (run scripts/ensure-test-services.sh as root, or set MAESTRO_TEST_PG)\n\n`);
}

/**
 * A runtime that runs nothing (for tests of everything but tmux): it starts "sessions" named
 * `maestro-<id>` without a process, finds none, and reaches none; `overrides` replace any part.
 */
export function stubRuntime(host: string, overrides: Partial<Runtime> = {}): Runtime {
  return {
    host,
    sessionName: (id) => `maestro-${id}`,
    start: async (spec) => ({ tmuxSession: `maestro-${spec.sessionId}`, pid: null }),
    kill: async () => undefined,
    sendInput: async () => false,
    signal: async () => false,
    screen: async () => [],
    capture: async () => [],
    probe: async () => ({ ok: true, sessions: new Map() }),
    sessionIdOf: (name) => (name.startsWith('maestro-') ? name.slice('maestro-'.length) : undefined),
    notices: SILENT_NOTICES,
    stream: async () => undefined,
    transcript: () => undefined,
    removeTranscript: async () => undefined,
    attach: async () => undefined,
    close: async () => undefined,
    ...overrides,
  };
}

/** Runs git in `dir` as a test user (name and e-mail given); its output, trimmed. */
export const git = (dir: string, ...args: string[]): string =>
  execFileSync('git', ['-C', dir, '-c', 'user.name=t', '-c', 'user.email=t@e', ...args], { encoding: 'utf8' }).trim();

/**
 * A new git repository at `dir` (made when missing) on branch `main`, whose first commit holds
 * `files` (path → content; none: an empty commit). Returns `dir`.
 */
export function gitRepo(dir: string, files: Record<string, string> = {}): string {
  execFileSync('git', ['init', '-q', '-b', 'main', dir]);
  for (const [path, content] of Object.entries(files)) writeFileSync(join(dir, path), content);
  git(dir, 'add', '.');
  git(dir, 'commit', '-q', '--allow-empty', '-m', 'init');
  return dir;
}

/** A logger that writes nothing. */
export const quietLog = () => pino({ level: 'silent' });

/**
 * A Maestro on a fresh SQLite file, a private tmux socket and a manual clock, closed by `cleanup`.
 * Not listening: use `maestro.app.inject`, or `maestro.listen()` with port 0.
 */
export async function testMaestro(
  cleanup: Cleanup,
  config: Partial<MaestroConfig> = {},
  parts: MaestroParts = {},
): Promise<Maestro & { clock: ManualClock; dir: string }> {
  const dir = tempDir(cleanup);
  const clock = parts.clock instanceof ManualClock ? parts.clock : new ManualClock(Date.now());
  const maestro = await createMaestro(
    { ...DEFAULTS, port: 0, db: join(dir, 'maestro.db'), tmuxSocket: tmuxSocket(cleanup), logLevel: 'silent', ...config },
    { log: quietLog(), ...parts, clock },
  );
  cleanup.add(() => maestro.close());
  return Object.assign(maestro, { clock, dir });
}

/**
 * Resolves once `check` returns a truthy value, polling every 20 ms; rejects after `timeoutMs`.
 * For waiting on real external processes (tmux, a child server), never for the passage of time.
 */
export async function until<T>(check: () => T | Promise<T>, timeoutMs = 10_000, what = 'condition'): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The `maestro` executable. */
export const BIN = fileURLToPath(new URL('../bin/maestro.js', import.meta.url));

/** Starts `maestro serve` as its own process; resolves with its URL once it logs that it listens. */
export async function startServer(
  cleanup: Cleanup,
  args: string[],
): Promise<{ url: string; child: ChildProcess; exited: Promise<number | null>; logLines: string[] }> {
  const child = spawn(process.execPath, [BIN, 'serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  cleanup.add(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await exited;
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const logLines: string[] = [];
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    if (process.env.E2E_SERVER_LOG) appendFileSync(process.env.E2E_SERVER_LOG, `[stderr] ${chunk.toString()}`);
  });
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error('maestro serve did not start')), 20_000);
    lines.on('line', (line) => {
      logLines.push(line);
      if (process.env.E2E_SERVER_LOG) appendFileSync(process.env.E2E_SERVER_LOG, `${line}\n`);
      const entry = JSON.parse(line) as { msg?: string; url?: string };
      if (entry.msg === 'maestro listening' && entry.url) {
        clearTimeout(timer);
        resolveUrl(entry.url);
      }
    });
    child.on('exit', (code) =>
      reject(new Error(`maestro serve exited (${code}) before listening:\n${logLines.join('\n')}\n${stderr}`)),
    );
  });
  return { url, child, exited, logLines };
}

/** A promise with its `resolve` exposed: a step a test holds open and lets go of when it says. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open: () => void = () => undefined;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

/**
 * The row of a new session `id` of `projectId` created at `atMs` (ms since the epoch), with nothing
 * asked of it, as another node or an import writes one straight into the store; `extras` as for
 * `newSessionRow`.
 */
export function sessionRow(id: string, projectId: string, atMs: number, extras?: NewSessionExtras): SessionRow {
  return newSessionRow({ id, projectId, featureRequest: '', phase: null, prdReference: null, taskIds: [] }, atMs, extras);
}

/** The runtime of a live session `id` in its tmux session `maestro-<id>` on node `host`. */
export function tmuxRuntime(id: string, host: string | null): SessionRuntime {
  return { kind: 'tmux', host, tmuxSession: `maestro-${id}`, pid: null, exitCode: null };
}

/** Resolves with the next event of `type` the store appends after this call (then stops listening). */
export function nextEvent(store: Pick<Store, 'onEvents'>, type: EventType): Promise<MaestroEvent> {
  return new Promise((resolve) => {
    const off = store.onEvents((batch) => {
      const found = batch.find((e) => e.type === type);
      if (found) {
        off();
        resolve(found);
      }
    });
  });
}
