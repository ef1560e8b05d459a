/**
 * Store benchmark (issue #10). Session writes — a new session row and its `session:created` event
 * in one durable transaction — through the Store, against raw better-sqlite3 doing the same two
 * inserts per transaction with the same pragmas (WAL, synchronous=FULL) in the same run.
 * Target: ≥ 50% of the raw rate.
 *
 * The Store is measured one write at a time, and with many in flight as a server has them under
 * load (transactions then share a commit: group commit). Each figure is compared with the raw
 * baseline that does the same: one write per durable transaction for the first, and for the second
 * the same number of writes per durable commit, each in a savepoint of its own as the Store's group
 * commit does them — like with like, so the ratio measures the Store's overhead, not group commit.
 * Raw inserts batched into one transaction are printed for scale: that is what no durable per-write
 * acknowledgement can reach.
 *
 *   npm run bench -- store          (WRITES=2000 for a quicker run)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import SqliteDatabase from 'better-sqlite3';
import { newSessionRow } from '../src/core/sessions/session-records.js';
import { newId, newProject } from '../src/domain/index.js';
import { openSqliteStore } from '../src/store/index.js';
import { sessionToRow } from '../src/store/rows.js';

const WRITES = Number(process.env.WRITES ?? 10_000);
const IN_FLIGHT = 32;
const dir = mkdtempSync(join(tmpdir(), 'maestro-bench-store-'));

const row = (now: number) =>
  newSessionRow({ projectId: 'proj_bench', featureRequest: '', phase: null, prdReference: null, taskIds: [] }, now);

try {
  const store = await openSqliteStore(join(dir, 'store.db'));
  await store.transaction((tx) => tx.insertProject(newProject({ id: 'proj_bench', name: 'bench', repoPath: dir }, Date.now())));
  const write = () => {
    const session = row(Date.now());
    return store.transaction(async (tx) => {
      await tx.insertSession(session);
      await tx.appendEvents([{ type: 'session:created', data: { ...session, taskIds: [] } }], Date.now());
    });
  };
  const rate = async (inFlight: number): Promise<number> => {
    const started = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (next++ < WRITES) await write();
      }),
    );
    return WRITES / ((performance.now() - started) / 1000);
  };
  await rate(1); // warm-up: statements prepared, file grown
  const sequential = await rate(1);
  const concurrent = await rate(IN_FLIGHT);
  await store.close();

  // Raw better-sqlite3, same schema (a file the Store migrated), same pragmas, same rows.
  const rawPath = join(dir, 'raw.db');
  await (await openSqliteStore(rawPath)).close();
  const raw = new SqliteDatabase(rawPath);
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = FULL');
  raw.pragma('foreign_keys = ON');
  raw
    .prepare(
      `INSERT INTO projects (id, name, repo_path, status, priority, created_at, updated_at) VALUES ('proj_bench', 'bench', ?, 'running', 0, 0, 0)`,
    )
    .run(dir);
  const sample = sessionToRow(row(Date.now()), false);
  const columns = Object.keys(sample);
  const insertSession = raw.prepare(
    `INSERT INTO sessions (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})`,
  );
  const insertEvent = raw.prepare('INSERT INTO events (id, type, at, data) VALUES (?, ?, ?, ?)');
  const rawWrite = raw.transaction(() => {
    const session = row(Date.now());
    insertSession.run(sessionToRow(session, false));
    insertEvent.run(newId('event'), 'session:created', Date.now(), JSON.stringify(session));
  });
  /** Writes `perCommit` at a time in one durable transaction, each in its own savepoint (a nested better-sqlite3 transaction). */
  const rawRate = (perCommit: number): number => {
    const group = raw.transaction((count: number) => {
      for (let i = 0; i < count; i++) rawWrite();
    });
    const started = performance.now();
    for (let done = 0; done < WRITES; done += perCommit) {
      if (perCommit === 1) rawWrite();
      else group(Math.min(perCommit, WRITES - done));
    }
    return WRITES / ((performance.now() - started) / 1000);
  };
  rawRate(1); // warm-up
  const rawDurable = rawRate(1);
  const rawGrouped = rawRate(IN_FLIGHT);
  const rawBatched = rawRate(WRITES);
  raw.close();

  const line = (name: string, perSec: number, baseline?: { rate: number; name: string; target: number }) =>
    `${name.padEnd(74)} ${perSec.toFixed(0).padStart(8)} writes/s${
      baseline === undefined
        ? ''
        : `   ${((perSec / baseline.rate) * 100).toFixed(0).padStart(4)}% of ${baseline.name}   target ≥ ${baseline.target}% ${perSec / baseline.rate >= baseline.target / 100 ? 'ok' : 'MISSED'}`
    }`;
  console.log(
    `${WRITES.toLocaleString()} session writes (row + event, durable before acknowledged; SQLite WAL, synchronous=FULL)`,
  );
  console.log(line('raw better-sqlite3, one transaction per write (baseline 1)', rawDurable));
  console.log(line('Store, one write at a time', sequential, { rate: rawDurable, name: 'baseline 1', target: 50 }));
  console.log(line(`raw better-sqlite3, ${IN_FLIGHT} writes per commit, a savepoint each (baseline ${IN_FLIGHT})`, rawGrouped));
  console.log(
    line(`Store, ${IN_FLIGHT} writes in flight (group commit)`, concurrent, {
      rate: rawGrouped,
      name: `baseline ${IN_FLIGHT}`,
      target: 50,
    }),
  );
  console.log(line('raw better-sqlite3, all writes in one transaction (not durable per write)', rawBatched));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
