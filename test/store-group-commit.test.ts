import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MaestroEvent, NewEvent } from '../src/domain/index.js';
import { openSqliteStore, type Store } from '../src/store/index.js';
import { Cleanup, tempDir } from './helpers.js';

const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const marker = (id: string): NewEvent => ({
  type: 'session:deleted',
  data: { id, projectId: 'proj_a', taskIds: [], reason: 'test' },
});

/** Counts the COMMIT statements SQLite runs (each one durable: one WAL fsync, see store-durability). */
function countCommits(): { commits: () => number } {
  const probe = new SqliteDatabase(':memory:');
  const statement = Object.getPrototypeOf(probe.prepare('select 1')) as { run: (...args: unknown[]) => unknown };
  probe.close();
  const run = statement.run;
  let commits = 0;
  vi.spyOn(statement, 'run').mockImplementation(function (this: { source: string }, ...args: unknown[]) {
    if (this.source.trim().toLowerCase() === 'commit') commits++;
    return run.apply(this, args);
  });
  return { commits: () => commits };
}

describe('SQLite group commit', () => {
  const cleanup = new Cleanup();
  let store: Store;
  beforeEach(async () => {
    store = await openSqliteStore(join(tempDir(cleanup), 'maestro.db'));
    cleanup.add(() => store.close());
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await cleanup.run();
  });

  const write = (id: string) => store.transaction((tx) => tx.appendEvents([marker(id)], T0));

  it('transactions started together share one commit, up to 64 a commit', async () => {
    const { commits } = countCommits();
    await Promise.all(Array.from({ length: 20 }, (_, i) => write(`sess_${i}`)));
    expect(commits()).toBe(1);
    await Promise.all(Array.from({ length: 100 }, (_, i) => write(`sess_b${i}`)));
    expect(commits()).toBe(3); // 64 + 36
    expect(await store.lastSeq()).toBe(120);
  });

  it('a transaction started in the next turn of the event loop joins the batch still gathering', async () => {
    const { commits } = countCommits();
    const first = write('sess_1');
    const second = new Promise((resolve, reject) => setImmediate(() => write('sess_2').then(resolve, reject)));
    await Promise.all([first, second]);
    expect(commits()).toBe(1);
  });

  it('one at a time, each transaction commits before it is answered', async () => {
    const { commits } = countCommits();
    for (let i = 1; i <= 3; i++) {
      await write(`sess_${i}`);
      expect(commits()).toBe(i);
    }
  });

  it('delivers a batch’s events once, after its commit; a batch that appended nothing delivers nothing', async () => {
    const { commits } = countCommits();
    const deliveries: { seqs: number[]; commitsBefore: number }[] = [];
    store.onEvents((events: MaestroEvent[]) => deliveries.push({ seqs: events.map((e) => e.seq), commitsBefore: commits() }));
    await Promise.all([write('sess_1'), store.transaction(async () => 'nothing appended'), write('sess_2')]);
    expect(deliveries).toEqual([{ seqs: [1, 2], commitsBefore: 1 }]);
    await store.transaction(async (tx) => tx.getProject('proj_none'));
    expect(deliveries).toHaveLength(1);
  });

  it('answers each transaction of a batch with its own value', async () => {
    const values = await Promise.all([1, 2, 3].map((n) => store.transaction(async () => n * 10)));
    expect(values).toEqual([10, 20, 30]);
  });

  it('a failed commit fails every transaction of its batch, and the store goes on', async () => {
    const probe = new SqliteDatabase(':memory:');
    const statement = Object.getPrototypeOf(probe.prepare('select 1')) as { run: (...args: unknown[]) => unknown };
    probe.close();
    const run = statement.run;
    let failNext = true;
    vi.spyOn(statement, 'run').mockImplementation(function (this: { source: string }, ...args: unknown[]) {
      if (failNext && this.source.trim().toLowerCase() === 'commit') {
        failNext = false;
        throw new Error('disk full');
      }
      return run.apply(this, args);
    });
    const delivered: number[] = [];
    store.onEvents((events) => delivered.push(...events.map((e) => e.seq)));
    const outcomes = await Promise.allSettled([write('sess_1'), write('sess_2')]);
    expect(outcomes.map((o) => (o.status === 'rejected' ? String(o.reason) : 'ok'))).toEqual([
      'Error: disk full',
      'Error: disk full',
    ]);
    expect(await store.lastSeq()).toBe(0);
    expect(delivered).toEqual([]);
    await write('sess_3');
    expect(await store.lastSeq()).toBe(1);
    expect(delivered).toEqual([1]);
  });

  it('refuses transactions once closed, and closing waits for the running batch; closing again does nothing', async () => {
    const running = write('sess_1');
    const released = vi.spyOn(store.leadership, 'release');
    await store.close();
    await expect(running).resolves.toMatchObject([{ seq: 1 }]);
    await expect(write('sess_2')).rejects.toThrow('store is closed');
    await store.close();
    expect(released).toHaveBeenCalledTimes(1);
  });

  it('a listener that unsubscribed hears nothing more; the others still do', async () => {
    const gone: number[] = [];
    const staying: number[] = [];
    const unsubscribe = store.onEvents((events) => gone.push(...events.map((e) => e.seq)));
    store.onEvents((events) => staying.push(...events.map((e) => e.seq)));
    await write('sess_1');
    unsubscribe();
    await write('sess_2');
    expect(gone).toEqual([1]);
    expect(staying).toEqual([1, 2]);
  });
});
