import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { EngineCapabilities } from './capabilities.js';
import { openKyselyStore } from './kysely-store.js';
import type { Database } from './schema.js';
import { SqliteBulkStatements, sqliteTx } from './sqlite-tx.js';
import { withStatementCache } from './statement-cache.js';
import type { Store } from './store.js';

/** Transactions sharing one SQLite commit, at most (docs/design.md §Transactions and group commit). */
const MAX_GROUP = 64;

/**
 * Opens (creating when missing) the SQLite database at `path`, in WAL mode with foreign keys on,
 * and applies pending migrations. `:memory:` gives a private in-memory database.
 * @throws Error when the file cannot be opened or a migration fails
 */
export async function openSqliteStore(path: string): Promise<Store> {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const database = new SqliteDatabase(path);
  database.pragma('journal_mode = WAL');
  // FULL: an acknowledged write survives a crash of the machine, not only of the process.
  database.pragma('synchronous = FULL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) });
  // Prepared against the migrated schema, so on first use (migrations run before any transaction);
  // they run inside Kysely's open transaction (same connection).
  let bulk: SqliteBulkStatements | undefined;
  const bulkStatements = (): SqliteBulkStatements => {
    bulk ??= new SqliteBulkStatements(database);
    return bulk;
  };
  const capabilities: EngineCapabilities = {
    engine: 'sqlite',
    // Take the write lock up front, so two connections never both read under a shared lock and
    // then deadlock upgrading it; they queue on busy_timeout.
    beginSql: 'begin immediate',
    maxGroup: MAX_GROUP,
    // One turn of the event loop: requests that arrived during the last (synchronous) commit get
    // parsed and join this batch instead of each waiting for a commit of its own.
    batchDelay: () => new Promise((resolve) => setImmediate(resolve)),
    migrationTableSchema: async () => undefined,
    makeTx: (trx, onAppend) => sqliteTx(trx, onAppend, bulkStatements()),
  };
  return openKyselyStore({ kysely, capabilities });
}
