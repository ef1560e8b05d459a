import { openPostgresStore, type PostgresOptions } from './postgres.js';
import { openSqliteStore } from './sqlite.js';
import { claimSqliteFile, type SqliteClaim } from './sqlite-claim.js';
import type { Store } from './store.js';

export type { EngineCapabilities } from './capabilities.js';
export type { Engine } from './engine.js';
export { currentLease, withLease } from './fencing.js';
export { openPostgresStore, type PostgresOptions } from './postgres.js';
export { openSqliteStore } from './sqlite.js';
export { type ClaimHolder, claimSqliteFile, DatabaseInUseError, type SqliteClaim } from './sqlite-claim.js';
export type * from './store.js';

/**
 * Opens the store named by `db`: a file path (SQLite, the embedded default) or a `postgres://`
 * URL (PostgreSQL, shared by several machines; `options` names this node's lease holder and the
 * lease's length).
 * @throws Error when the database cannot be opened or migrated
 */
export async function openStore(db: string, options: Pick<PostgresOptions, 'holder' | 'leaderLeaseMs'> = {}): Promise<Store> {
  if (isPostgresUrl(db)) return openPostgresStore(db, options);
  return openSqliteStore(db);
}

/**
 * Claims the database `db` (as given to {@link openStore}) for one server: a SQLite file serves
 * one server at a time ({@link claimSqliteFile}); PostgreSQL serves several nodes and a private
 * `:memory:` database cannot be shared, so neither needs a claim (the one returned does nothing).
 * @throws DatabaseInUseError when another server holds the SQLite file
 */
export function claimDatabase(db: string): SqliteClaim {
  if (isPostgresUrl(db) || db === ':memory:') return { release: () => undefined };
  return claimSqliteFile(db);
}

function isPostgresUrl(db: string): boolean {
  return /^postgres(ql)?:\/\//.test(db);
}
