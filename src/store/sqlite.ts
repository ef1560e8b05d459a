import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { KyselyStore } from './kysely-store.js';
import type { Database } from './schema.js';
import { SqliteBulkStatements, SqliteTx } from './sqlite-tx.js';
import { withStatementCache } from './statement-cache.js';

/**
 * Opens (creating when missing) the SQLite database at `path`, in WAL mode with foreign keys on,
 * and applies pending migrations. `:memory:` gives a private in-memory database.
 * @throws Error when the file cannot be opened or a migration fails
 */
export async function openSqliteStore(path: string): Promise<KyselyStore> {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const database = new SqliteDatabase(path);
  database.pragma('journal_mode = WAL');
  // FULL: an acknowledged write survives a crash of the machine, not only of the process.
  database.pragma('synchronous = FULL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) });
  await new KyselyStore('sqlite', kysely).migrate();
  // Statements are prepared against the migrated schema; they run inside Kysely's open transaction (same connection).
  const bulk = new SqliteBulkStatements(database);
  return new KyselyStore('sqlite', kysely, (trx, onAppend) => new SqliteTx(trx, onAppend, bulk));
}
