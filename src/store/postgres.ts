import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { KyselyStore } from './kysely-store.js';
import { KyselyTx } from './kysely-tx.js';
import { PgEventTailer, PgLeadership, PostgresTx } from './postgres-events.js';
import type { Database } from './schema.js';

/** Options of {@link openPostgresStore}. */
export interface PostgresOptions {
  /** Use this schema (created when missing) instead of `public`; tests give each file its own. */
  schema?: string;
  /** Most pooled connections. Default 10. */
  maxConnections?: number;
}

/**
 * Opens the PostgreSQL store at `url` (`postgres://user:password@host:port/database`) and applies
 * pending migrations — the same migrations as SQLite, a few column types chosen per engine.
 * @throws Error when the database cannot be reached or a migration fails
 */
export async function openPostgresStore(url: string, options: PostgresOptions = {}): Promise<KyselyStore> {
  const schema = options.schema;
  if (schema !== undefined && !/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`invalid schema name: ${schema}`);
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? 10,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  if (schema) await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const channel = `maestro_events_${schema ?? 'public'}`;
  // The tailer reads through a plain handle on the same pool.
  const reader = new KyselyTx(kysely);
  const tailer = new PgEventTailer(url, channel, (after, limit) => reader.listEvents(after, limit));
  const store = new KyselyStore(
    'postgres',
    kysely,
    (trx, onAppend) => new PostgresTx(trx, onAppend, channel),
    tailer,
    new PgLeadership(url),
  );
  try {
    await store.migrate();
    await store.startTailing();
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}
