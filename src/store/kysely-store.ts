import { type Kysely, Migrator } from 'kysely';
import type { EngineCapabilities } from './capabilities.js';
import { migrationProvider } from './migrations/index.js';
import type { Database } from './schema.js';
import type { EventListener, Leadership, Store, StoreTx } from './store.js';
import { type EventTailer, TransactionQueue } from './transaction-queue.js';
import { kyselyReads } from './tx/index.js';

/** What {@link openKyselyStore} assembles a store from. */
export interface StoreParts {
  /** The root database. */
  kysely: Kysely<Database>;
  /** How this engine differs (`sqlite.ts`, `postgres.ts` build it). */
  capabilities: EngineCapabilities;
  /**
   * When given, events reach listeners from the shared log (written by every node) instead of
   * straight from this process's commits.
   */
  tailer?: EventTailer;
  /** This node's claim on leadership; default: always the leader. */
  leadership?: Leadership;
}

/**
 * Applies every pending migration to `kysely`.
 * @throws Error when a migration fails (the failing one is rolled back)
 */
async function migrate(kysely: Kysely<Database>, capabilities: EngineCapabilities): Promise<void> {
  const migrationTableSchema = await capabilities.migrationTableSchema(kysely);
  const migrator = new Migrator({
    db: kysely,
    provider: migrationProvider(capabilities.engine),
    ...(migrationTableSchema ? { migrationTableSchema } : {}),
  });
  const { error } = await migrator.migrateToLatest();
  if (error) throw new Error('database migration failed', { cause: error });
}

/**
 * Migrates the database, starts following its shared event log (when `parts.tailer` is given, from
 * its current end) and assembles the {@link Store}: the engine-neutral reads over the root database
 * (`tx/index.ts`), plus a {@link TransactionQueue} for `transaction`, `onEvents` and `close`. The
 * store has no write method: writes exist only on the handle a transaction hands its function.
 *
 * The returned object also keeps the root handle as `db`, outside the `Store` type: the
 * fault-injection test sets SQLite pragmas (`max_page_count`, `query_only`) on the store's own
 * connection through it (test/security/faults.test.ts).
 * @throws Error when a migration fails or the tailer cannot start (the store is closed again)
 */
export async function openKyselyStore(parts: StoreParts): Promise<Store> {
  const { kysely, capabilities, tailer } = parts;
  // One node (SQLite): it always leads, under a lease that never ends.
  const leadership = parts.leadership ?? {
    tryLead: async () => ({ token: 1, validUntil: Number.POSITIVE_INFINITY }),
    release: async () => undefined,
  };
  const queue = new TransactionQueue(kysely, capabilities, tailer, leadership);
  const reads = kyselyReads(kysely);
  const store = {
    ...reads,
    engine: capabilities.engine,
    leadership,
    db: kysely,
    transaction: <T>(fn: (tx: StoreTx) => Promise<T>) => queue.run(fn),
    onEvents: (listener: EventListener) => queue.onEvents(listener),
    close: () => queue.close(),
  };
  try {
    await migrate(kysely, capabilities);
    await tailer?.start(await reads.lastSeq(), (events) => queue.deliver(events));
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}
