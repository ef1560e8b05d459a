/**
 * Nodes benchmark (issue #27.3): write throughput with one, two and three nodes on one PostgreSQL
 * database, side by side, and how long a node frozen in the middle of a write delays the others.
 *
 * A node here is a store of its own — its own connection pool, event tailer and write queue, as a
 * `maestro serve` process has — in this process; each writes a session row and its
 * `session:created` event per transaction, `IN_FLIGHT` at a time (a node runs its transactions one
 * at a time, so that is a queue). The baseline, measured in the same run on the same database, is
 * the design this replaced: the same writes, each also holding one cluster-wide advisory lock from
 * its event append to its commit (emulated with `lockScope('event log')` right after the append,
 * the lock the old append took). More nodes must not collapse the throughput.
 *
 * The stall: while two nodes write, a third opens a transaction, appends an event and stops there
 * for `FREEZE_SECS` (as a node stopped by SIGSTOP mid-write would). The writers' latency before and
 * during the freeze is printed, for both designs.
 *
 *   npm run bench -- nodes          (DURATION=3 FREEZE_SECS=3 for a quicker run; MAESTRO_TEST_PG picks the database)
 */
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { newSessionRow } from '../src/core/sessions/session-records.js';
import { newProject } from '../src/domain/index.js';
import { openPostgresStore, type Store } from '../src/store/index.js';

const URL = process.env.MAESTRO_TEST_PG ?? 'postgres://postgres:maestro@127.0.0.1:5432/maestro_test';
const DURATION_MS = Number(process.env.DURATION ?? 5) * 1000;
const FREEZE_MS = Number(process.env.FREEZE_SECS ?? 4) * 1000;
const IN_FLIGHT = 8;
const schema = `maestro_bench_nodes_${process.pid}`;

type Design = 'outbox' | 'global lock';

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** One write of `design`: a session row and its event, in one transaction. */
function write(store: Store, design: Design): Promise<void> {
  const session = newSessionRow(
    { projectId: 'proj_bench', featureRequest: '', phase: null, prdReference: null, taskIds: [] },
    Date.now(),
  );
  return store.transaction(async (tx) => {
    await tx.appendEvents([{ type: 'session:created', data: { ...session, taskIds: [] } }], Date.now());
    if (design === 'global lock') await tx.lockScope('event log');
    await tx.insertSession(session);
  });
}

/**
 * Writes through every node until `untilMs`, `IN_FLIGHT` each; returns each write's end time and
 * latency, in ms, and whether it failed (a lock timeout: it waited 2 s behind a frozen node).
 */
async function drive(nodes: Store[], design: Design, untilMs: number): Promise<{ at: number; ms: number; failed: boolean }[]> {
  const done: { at: number; ms: number; failed: boolean }[] = [];
  await Promise.all(
    nodes.flatMap((node) =>
      Array.from({ length: IN_FLIGHT }, async () => {
        while (performance.now() < untilMs) {
          const began = performance.now();
          const failed = await write(node, design).then(
            () => false,
            () => true,
          );
          const at = performance.now();
          done.push({ at, ms: at - began, failed });
        }
      }),
    ),
  );
  return done;
}

const pct = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
};
const fmt = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 1 });

await admin(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
const opened: Store[] = [];
try {
  for (let i = 0; i < 4; i++) opened.push(await openPostgresStore(URL, { schema, holder: `bench-${i}` }));
  const [first] = opened as [Store];
  await first.transaction((tx) =>
    tx.insertProject(newProject({ id: 'proj_bench', name: 'bench', repoPath: '/tmp' }, Date.now())),
  );

  console.log(
    `write throughput, ${IN_FLIGHT} in flight per node, ${DURATION_MS / 1000} s each (PostgreSQL ${URL.replace(/:[^:@/]*@/, ':***@')})`,
  );
  console.log('nodes | outbox (this design) | one cluster-wide append lock (the old design) | ratio');
  for (const count of [1, 2, 3]) {
    const nodes = opened.slice(0, count);
    const rates: Record<Design, number> = { outbox: 0, 'global lock': 0 };
    for (const design of ['global lock', 'outbox'] as Design[]) {
      await drive(nodes, design, performance.now() + 500); // warm the pools
      const done = await drive(nodes, design, performance.now() + DURATION_MS);
      rates[design] = done.filter((d) => !d.failed).length / (DURATION_MS / 1000);
    }
    console.log(
      `${count}     | ${fmt(rates.outbox)} writes/s | ${fmt(rates['global lock'])} writes/s | ×${(rates.outbox / rates['global lock']).toFixed(2)}`,
    );
  }

  console.log(`\nstall: two nodes writing while a third is frozen mid-write for ${FREEZE_MS / 1000} s`);
  for (const design of ['outbox', 'global lock'] as Design[]) {
    const writers = opened.slice(0, 2);
    const frozen = opened[3] as Store;
    const before = await drive(writers, design, performance.now() + 2000);
    let thaw: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      thaw = resolve;
    });
    let inside: () => void = () => undefined;
    const entered = new Promise<void>((resolve) => {
      inside = resolve;
    });
    const stalled = frozen
      .transaction(async (tx) => {
        await tx.appendEvents([{ type: 'queue:paused', data: { paused: true } }], Date.now());
        if (design === 'global lock') await tx.lockScope('event log');
        inside();
        await held;
      })
      .catch((err: unknown) => (err instanceof Error ? err.message : String(err)));
    await entered;
    const frozeAt = performance.now();
    setTimeout(thaw, FREEZE_MS);
    const during = await drive(writers, design, frozeAt + FREEZE_MS);
    const outcome = await stalled;
    const ms = (d: { ms: number }[]) => d.map((x) => x.ms);
    const failed = typeof outcome === 'string' ? ` (the frozen transaction: ${outcome})` : '';
    console.log(
      `${design.padEnd(11)} | before: p50 ${fmt(pct(ms(before), 50))} ms, p99 ${fmt(pct(ms(before), 99))} ms | ` +
        `frozen: p50 ${fmt(pct(ms(during), 50))} ms, p99 ${fmt(pct(ms(during), 99))} ms, longest ${fmt(Math.max(...ms(during)))} ms, ` +
        `${fmt(during.filter((d) => !d.failed).length / (FREEZE_MS / 1000))} writes/s, ` +
        `${during.filter((d) => d.failed).length} failed on the lock timeout${failed}`,
    );
  }
} finally {
  for (const store of opened) await store.close().catch(() => undefined);
  await admin(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
}
