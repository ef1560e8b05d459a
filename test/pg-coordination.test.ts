import { type Kysely, sql } from 'kysely';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { type MaestroEvent, newProject, StaleLeaseError } from '../src/domain/index.js';
import { openPostgresStore, type Store, withLease } from '../src/store/index.js';
import { gate, until } from './helpers.js';
import { PG_URL, pgAvailable } from './pg.js';

/**
 * What several nodes sharing one PostgreSQL database coordinate through (docs/design.md §Nodes):
 * the leader lease and its fencing token, and the event log's sequencing step. Each test opens
 * stores on a schema of its own, as separate nodes would.
 */
const available = await pgAvailable('the PostgreSQL coordination tests (leases, fencing, event sequencing)');
let counter = 0;

describe.skipIf(!available)('PostgreSQL coordination between nodes', () => {
  let schema: string;
  const opened: Store[] = [];
  const open = async (holder: string) => {
    const store = await openPostgresStore(PG_URL, { schema, holder, leaderLeaseMs: 60_000 });
    opened.push(store);
    return store;
  };
  const admin = async (text: string) => {
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    try {
      return (await client.query(`set search_path = ${schema}; ${text}`)) as unknown as pg.QueryResult[];
    } finally {
      await client.end();
    }
  };
  const fresh = () => {
    schema = `maestro_coord_${process.pid}_${++counter}`;
  };
  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close().catch(() => undefined);
    await admin(`drop schema if exists ${schema} cascade`).catch(() => undefined);
  });

  it('every connection carries the lock, idle-in-transaction and statement timeouts', async () => {
    fresh();
    const store = await openPostgresStore(PG_URL, { schema, leaderLeaseMs: 4000 });
    opened.push(store);
    const db = (store as unknown as { db: Kysely<unknown> }).db;
    const show = async (name: string) => (await sql.raw<{ [k: string]: string }>(`show ${name}`).execute(db)).rows[0]?.[name];
    expect(await show('lock_timeout')).toBe('2s');
    expect(await show('idle_in_transaction_session_timeout')).toBe('2s'); // half the 4 s lease
    expect(await show('statement_timeout')).toBe('30s');
  });

  it('survives the server closing a connection that idled in a transaction (a node frozen mid-write), and writes again', async () => {
    fresh();
    const store = await openPostgresStore(PG_URL, { schema, leaderLeaseMs: 400 }); // idle in a transaction: 200 ms
    opened.push(store);
    const key = `idle-probe-${process.pid}`;
    const held = (await admin(`select ((hashtext('${key}')::bigint + 4294967296) % 4294967296) as objid`))[1]?.rows[0]?.objid;
    const locked = async () =>
      Number(
        (
          await admin(
            `select count(*)::int as n from pg_locks where locktype = 'advisory' and classid = 7420003 and objid::bigint = ${held}`,
          )
        )[1]?.rows[0]?.n,
      );
    const stalled = store.transaction(async (tx) => {
      await tx.lockScope(key);
      // The transaction now idles, as a frozen node's does, until the server closes its connection
      // (and so frees the lock); its next statement then fails.
      await until(async () => (await locked()) === 0, 10_000, 'the server to close the idle transaction');
      await tx.getProject('proj_none');
    });
    await expect(stalled).rejects.toThrow();
    await store.transaction((tx) => tx.insertProject(newProject({ id: 'proj_after', name: 'after', repoPath: '/tmp' }, 0)));
    expect((await store.getProject('proj_after'))?.id).toBe('proj_after');
  });

  it('one node holds the lease; it renews under the same token; another takes it only once it ends, with a higher token', async () => {
    fresh();
    const a = await open('node-a/1');
    const b = await open('node-b/1');
    const first = await a.leadership.tryLead();
    expect(first?.token).toBe(1);
    expect(await b.leadership.tryLead()).toBeNull();
    expect((await a.leadership.tryLead())?.token).toBe(1); // renewal keeps the token
    // The lease lapses (its holder froze): the database's clock says it expired.
    await admin(`update leases set expires_at = 0`);
    const taken = await b.leadership.tryLead();
    expect(taken?.token).toBe(2);
    expect(await a.leadership.tryLead()).toBeNull(); // the old holder cannot renew what it lost
    await b.leadership.release();
    expect((await a.leadership.tryLead())?.token).toBe(3);
  });

  it('a leader-only write under a stale token changes nothing; under the current one it commits', async () => {
    fresh();
    const a = await open('node-a/1');
    const b = await open('node-b/1');
    const old = (await a.leadership.tryLead())?.token as number;
    await admin(`update leases set expires_at = 0`);
    const current = (await b.leadership.tryLead())?.token as number;
    const project = (id: string) => newProject({ id, name: id, repoPath: '/tmp' }, 0);
    const stale = await withLease(old, () => a.transaction((tx) => tx.insertProject(project('proj_stale')))).catch((e) => e);
    expect(stale).toBeInstanceOf(StaleLeaseError);
    expect(stale).toMatchObject({ code: 'stale_lease', details: { token: old, current } });
    expect(await b.getProject('proj_stale')).toBeUndefined();
    await withLease(current, () => b.transaction((tx) => tx.insertProject(project('proj_fenced'))));
    expect((await a.getProject('proj_fenced'))?.id).toBe('proj_fenced');
    // Work outside any lease is not fenced at all.
    await a.transaction((tx) => tx.insertProject(project('proj_free')));
  });

  it('events get their place in commit order: a transaction that commits later comes later, and no reader skips it', async () => {
    fresh();
    const writer = await open('node-a/1');
    const other = await open('node-b/1');
    const reader = await open('node-c/1');
    const delivered: MaestroEvent[] = [];
    reader.onEvents((events) => delivered.push(...events));
    const marker = (id: string) => ({
      type: 'session:deleted' as const,
      data: { id, projectId: 'proj_a', taskIds: [], reason: 'deleted' },
    });
    // A transaction appends first and commits last; another appends and commits in between.
    const released = gate();
    const appended = gate();
    const slow = writer.transaction(async (tx) => {
      await tx.appendEvents([marker('sess_slow')], 0);
      appended.open();
      await released.promise;
    });
    await appended.promise;
    await other.transaction((tx) => tx.appendEvents([marker('sess_fast_1'), marker('sess_fast_2')], 0));
    released.open();
    await slow;
    await writer.transaction((tx) => tx.appendEvents([marker('sess_last')], 0));
    await until(() => delivered.length >= 4, 10_000, 'the reader to get all four events');
    expect(delivered.map((e) => (e.data as { id: string }).id)).toEqual(['sess_fast_1', 'sess_fast_2', 'sess_slow', 'sess_last']);
    const seqs = delivered.map((e) => e.seq);
    expect(seqs).toEqual([seqs[0], (seqs[0] as number) + 1, (seqs[0] as number) + 2, (seqs[0] as number) + 3]);
    expect(await reader.listEvents(0, 10)).toHaveLength(4);
    // Nothing is left waiting for a place.
    const [, rows] = await admin('select count(*)::int as n from event_outbox');
    expect(rows?.rows[0]).toEqual({ n: 0 });
  });
});
