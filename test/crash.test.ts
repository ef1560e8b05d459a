import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import SqliteDatabase from 'better-sqlite3';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTerminal, SESSION_TRANSITIONS, type Session, sessionSchema } from '../src/domain/index.js';
import { Cleanup, tempDir, tmuxSocket } from './helpers.js';

/** Crash runs: 100 in the suite; MAESTRO_LONG_TESTS=1 makes it 1,000 (issue #10). */
const RUNS = Number(process.env.CRASH_RUNS ?? (process.env.MAESTRO_LONG_TESTS ? 1000 : 100));
/** Concurrent writers per run, so the kill lands with requests in flight. */
const WRITERS = 4;
/** Servers started ahead of time, each waiting for its database path. */
const WARM = 1;

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** The workflow walked by every writer, one transition per request. */
const WALK = ['planning', 'generating_tasks', 'implementing', 'validating', 'generating_report', 'completed'] as const;

interface Server {
  child: ChildProcess;
  exited: Promise<void>;
  /** Opens `db` and resolves with the URL once listening. */
  open(db: string): Promise<string>;
}

/**
 * What a writer was told succeeded: the session as the 2xx answer showed it, or its deletion.
 * `deleting`: a delete was sent and not answered (the kill came first), so it may have landed.
 */
type Ack = { deleted: false; version: number; status: Session['status']; deleting?: true } | { deleted: true };

describe('kill -9 during a stream of acknowledged writes', () => {
  const cleanup = new Cleanup();
  let bundle: string;
  let socket: string;
  const warm: Server[] = [];

  const startServer = (): Server => {
    const child = spawn(process.execPath, [bundle, socket], { stdio: ['pipe', 'pipe', 'inherit'], cwd: ROOT });
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    const urls: string[] = [];
    const waiting: ((url: string) => void)[] = [];
    lines.on('line', (line) => {
      const { url } = JSON.parse(line) as { url: string };
      const next = waiting.shift();
      if (next) next(url);
      else urls.push(url);
    });
    cleanup.add(async () => {
      child.kill('SIGKILL');
      await exited;
    });
    return {
      child,
      exited,
      open(db) {
        child.stdin?.write(`${db}\n`);
        return new Promise((resolve, reject) => {
          const ready = urls.shift();
          if (ready) resolve(ready);
          else waiting.push(resolve);
          void exited.then(() => reject(new Error('crash server exited before listening')));
        });
      },
    };
  };
  const takeServer = (): Server => {
    while (warm.length < WARM + 1) warm.push(startServer());
    return warm.shift() as Server;
  };

  beforeAll(async () => {
    // One bundled file starts in a fraction of the time tsx needs to compile the sources, which is
    // what makes a hundred real process crashes affordable.
    const dir = join(ROOT, 'node_modules', '.cache', 'maestro-test');
    mkdirSync(dir, { recursive: true });
    bundle = join(dir, `crash-server-${process.pid}.mjs`);
    cleanup.add(() => rmSync(bundle, { force: true }));
    await build({
      entryPoints: [join(ROOT, 'test/fixtures/crash-server.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      packages: 'external',
      outfile: bundle,
      logLevel: 'warning',
    });
    socket = tmuxSocket(cleanup);
  }, 60_000);
  afterAll(() => cleanup.run());

  it(`${RUNS} crashes: every acknowledged write survives and every session is valid`, async () => {
    const db = join(tempDir(cleanup), 'crash.db');
    const acks = new Map<string, Ack>();
    const recent = new Map<string, Ack>();
    const acknowledge = (id: string, ack: Ack) => {
      acks.set(id, ack);
      recent.set(id, ack);
    };
    let projectId = '';
    let killedAfter = 0;
    for (let run = 0; run <= RUNS; run++) {
      const server = takeServer();
      const url = await server.open(db);

      // After the restart: what was acknowledged before the crash is there, and nothing is invalid
      // (each run checks what the last one wrote; the final restart checks everything).
      await verify(url, db, run === RUNS ? acks : recent);
      if (run === RUNS) break;
      recent.clear();

      if (!projectId) projectId = (await post(url, '/api/projects', { name: 'crash', repoPath: ROOT })).id as string;
      // Kill after a random number of acknowledgements, with the other writers' requests in flight.
      const killAt = 1 + Math.floor(Math.random() * 40);
      let acknowledged = 0;
      let killed = false;
      const onAck = () => {
        if (++acknowledged === killAt && !killed) {
          killed = true;
          server.child.kill('SIGKILL');
        }
      };
      await Promise.all(Array.from({ length: WRITERS }, () => writer(url, projectId, acknowledge, onAck, () => killed)));
      await server.exited;
      killedAfter += acknowledged;
    }
    expect(acks.size).toBeGreaterThan(RUNS);
    expect(killedAfter).toBeGreaterThanOrEqual(RUNS);
  }, 900_000);
});

/** Writes until the server dies: create, walk the workflow with touches, then complete or delete. */
async function writer(
  url: string,
  projectId: string,
  acknowledge: (id: string, ack: Ack) => void,
  onAck: () => void,
  killed: () => boolean,
): Promise<void> {
  try {
    while (!killed()) {
      const created = (await post(url, '/api/sessions', { projectId })) as Session;
      acknowledge(created.id, { deleted: false, version: created.version, status: created.status });
      onAck();
      for (const status of WALK) {
        if (killed()) return;
        if (Math.random() < 0.5) {
          const touched = (await post(url, `/api/sessions/${created.id}/touch`, {})) as Session;
          acknowledge(created.id, { deleted: false, version: touched.version, status: touched.status });
          onAck();
        }
        const moved = (await post(url, `/api/sessions/${created.id}/transition`, { status })) as Session;
        acknowledge(created.id, { deleted: false, version: moved.version, status: moved.status });
        onAck();
        if (status === 'implementing' && Math.random() < 0.3) {
          acknowledge(created.id, { deleted: false, version: moved.version, status: moved.status, deleting: true });
          await request(url, 'DELETE', `/api/sessions/${created.id}`);
          acknowledge(created.id, { deleted: true });
          onAck();
          break;
        }
      }
    }
  } catch (err) {
    // The server was killed under this request: it was never acknowledged, so nothing is promised.
    if (!killed()) throw err;
  }
}

/** Checks every acknowledged write against the restarted server, and the file's integrity. */
async function verify(url: string, db: string, acks: Map<string, Ack>): Promise<void> {
  for (const [id, ack] of acks) {
    const res = await fetch(`${url}/api/sessions/${id}`);
    if (!ack.deleted && ack.deleting && res.status === 404) continue;
    if (ack.deleted) {
      expect(res.status, `${id} was deleted`).toBe(404);
      continue;
    }
    expect(res.status, `${id} was acknowledged`).toBe(200);
    const session = sessionSchema.parse(await res.json());
    // A later, unacknowledged write may have landed too; an acknowledged one is never missing.
    expect(session.version, id).toBeGreaterThanOrEqual(ack.version);
    if (session.version === ack.version) expect(session.status, id).toBe(ack.status);
    else expect([ack.status, ...SESSION_TRANSITIONS[ack.status]]).toContain(session.status);
    expect(session.completedAt !== null, id).toBe(isTerminal(session.status));
    expect(session.endReason !== null, id).toBe(isTerminal(session.status));
  }
  const raw = new SqliteDatabase(db);
  try {
    expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
    // The event log has no hole: every committed write's events, in sequence.
    const log = raw.prepare('SELECT min(seq) AS first, max(seq) AS last, count(*) AS n FROM events').get() as {
      first: number;
      last: number;
      n: number;
    };
    if (log.n > 0) expect(log.last - log.first + 1).toBe(log.n);
  } finally {
    raw.close();
  }
}

async function request(url: string, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(url + path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${await res.text()}`);
  return res.status === 204 ? {} : ((await res.json()) as Record<string, unknown>);
}

const post = (url: string, path: string, body: unknown) => request(url, 'POST', path, body);
