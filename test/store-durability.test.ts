import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { type Kysely, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../src/store/index.js';
import type { Database } from '../src/store/schema.js';
import { Cleanup, serviceUnavailable, tempDir } from './helpers.js';

const strace = await execa('strace', ['-V'], { reject: false }).then(
  (r) => r.exitCode === 0,
  () => false,
);
if (!strace) serviceUnavailable('strace', 'the test counting flushes per acknowledged SQLite batch');

describe('SQLite durability: an acknowledged write is on disk', () => {
  let cleanup = new Cleanup();
  afterEach(async () => {
    await cleanup.run();
    cleanup = new Cleanup();
  });

  it('opens the store in WAL mode with synchronous FULL, foreign keys and a busy timeout, on the connection it writes with', async () => {
    const store = await openSqliteStore(join(tempDir(cleanup), 'maestro.db'));
    cleanup.add(() => store.close());
    // The store reads through its root handle: the connection its transactions run on.
    const db = (store as unknown as { db: Kysely<Database> }).db;
    const pragma = async (name: string) =>
      Object.values((await sql.raw<Record<string, unknown>>(`pragma ${name}`).execute(db)).rows[0] ?? {})[0];
    expect(await pragma('journal_mode')).toBe('wal');
    expect(await pragma('synchronous')).toBe(2); // FULL (OFF 0, NORMAL 1): WAL commits are fsynced
    expect(await pragma('foreign_keys')).toBe(1);
    expect(await pragma('busy_timeout')).toBe(5000);
  });

  it.skipIf(!strace)(
    'flushes before acknowledging each batch, once per group commit whatever its size (counted with strace)',
    async () => {
      const dir = tempDir(cleanup);
      const trace = join(dir, 'trace');
      const probe = fileURLToPath(new URL('fixtures/flush-probe.ts', import.meta.url));
      const sizes = [1, 1, 8, 8, 32];
      await execa(
        'strace',
        [
          '-f',
          '-qq',
          '-o',
          trace,
          '-e',
          'trace=fsync,fdatasync,write',
          process.execPath,
          '--import',
          'tsx',
          probe,
          join(dir, 'm.db'),
          ...sizes.map(String),
        ],
        { timeout: 60_000 },
      );
      // Flushes between each batch's begin and its acknowledgement, in trace order (all threads).
      const flushes: number[] = [];
      let open = -1;
      for (const line of readFileSync(trace, 'utf8').split('\n')) {
        const mark = /MARK (\d+) (begin|acked)/.exec(line);
        if (mark?.[2] === 'begin') {
          open = Number(mark[1]);
          flushes[open] = 0;
        } else if (mark) open = -1;
        else if (open >= 0 && /\b(fsync|fdatasync)\(/.test(line)) flushes[open] = (flushes[open] ?? 0) + 1;
      }
      expect(flushes).toHaveLength(sizes.length);
      for (const n of flushes) expect(n).toBeGreaterThanOrEqual(1);
      // One commit per batch: 32 transactions started together cost what one costs.
      expect(new Set(flushes).size).toBe(1);
    },
  );
});
