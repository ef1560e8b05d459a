import type { Kysely } from 'kysely';
import type { MaestroEvent } from '../domain/index.js';
import type { Engine } from './engine.js';
import type { Database } from './schema.js';
import type { StoreTx } from './store.js';

/**
 * Everything in which the engines differ, in one object built by the engine's opener
 * (`sqlite.ts`, `postgres.ts`) and handed to the engine-neutral store (`kysely-store.ts`), so the
 * store never asks which engine it runs on (docs/design.md §Transactions and group commit).
 */
export interface EngineCapabilities {
  readonly engine: Engine;
  /**
   * The statement opening a write transaction. SQLite: `begin immediate`, taking the write lock up
   * front so two connections never both read under a shared lock and then deadlock upgrading it.
   */
  readonly beginSql: string;
  /**
   * Most `transaction()` calls sharing one database transaction (group commit, each in its own
   * savepoint). 1: each call commits alone.
   */
  readonly maxGroup: number;
  /**
   * Waited for before a batch is taken from the queue. SQLite: one turn of the event loop, so
   * requests that arrived during the last (synchronous) commit join the batch.
   */
  batchDelay(): Promise<void>;
  /**
   * The schema holding Kysely's migration tables, or undefined for the engine's default. PostgreSQL
   * names `current_schema()`: otherwise Kysely takes migration tables found in any schema of the
   * database (another Maestro's, another application's) for ours.
   */
  migrationTableSchema(db: Kysely<Database>): Promise<string | undefined>;
  /**
   * The handle of one transaction over `trx` (an engine may supply faster bulk writes, or an
   * ordered event append); `onAppend` is told of every event it appends.
   */
  makeTx(trx: Kysely<Database>, onAppend: (events: MaestroEvent[]) => void): StoreTx;
}
