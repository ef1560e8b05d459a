import { openSqliteStore } from './sqlite.js';
import type { Store } from './store.js';

export type { Engine } from './engine.js';
export { KyselyStore } from './kysely-store.js';
export { openSqliteStore } from './sqlite.js';
export type * from './store.js';

/**
 * Opens the store named by `db`: a file path (SQLite, the embedded default) or, in a later
 * release, a `postgres://` URL.
 * @throws Error when the database cannot be opened or migrated
 */
export async function openStore(db: string): Promise<Store> {
  if (/^postgres(ql)?:\/\//.test(db)) {
    throw new Error('PostgreSQL storage is not available in this build yet; use a SQLite file path');
  }
  return openSqliteStore(db);
}
