import { openPostgresStore } from './postgres.js';
import { openSqliteStore } from './sqlite.js';
import type { Store } from './store.js';

export type { Engine } from './engine.js';
export { KyselyStore } from './kysely-store.js';
export { openPostgresStore } from './postgres.js';
export { openSqliteStore } from './sqlite.js';
export type * from './store.js';

/**
 * Opens the store named by `db`: a file path (SQLite, the embedded default) or a `postgres://`
 * URL (PostgreSQL, shared by several machines).
 * @throws Error when the database cannot be opened or migrated
 */
export async function openStore(db: string): Promise<Store> {
  if (/^postgres(ql)?:\/\//.test(db)) return openPostgresStore(db);
  return openSqliteStore(db);
}
