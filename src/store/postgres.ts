import { randomUUID } from 'node:crypto';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { EngineCapabilities } from './capabilities.js';
import { openKyselyStore } from './kysely-store.js';
import { PgEventTailer, postgresTx, sequenceOutbox } from './postgres-events.js';
import { PgLeaseLeadership } from './postgres-lease.js';
import { connectionOptions, survivePoolErrors } from './postgres-settings.js';
import type { Database } from './schema.js';
import type { Store } from './store.js';
import { eventReads } from './tx/events.js';

/** Options of {@link openPostgresStore}. */
export interface PostgresOptions {
  /** Use this schema (created when missing) instead of `public`; tests give each file its own. */
  schema?: string;
  /** Most pooled connections. Default 10. */
  maxConnections?: number;
  /** Who holds the leader lease when this node takes it: its name and a per-process id. Default: a random one. */
  holder?: string;
  /** How long the leader lease lasts from each take or renewal, in milliseconds. Default 15,000. */
  leaderLeaseMs?: number;
}

/**
 * Opens the PostgreSQL store at `url` (`postgres://user:password@host:port/database`) and applies
 * pending migrations — the same migrations as SQLite, a few column types chosen per engine.
 * @throws Error when the database cannot be reached or a migration fails
 */
export async function openPostgresStore(url: string, options: PostgresOptions = {}): Promise<Store> {
  const schema = options.schema;
  if (schema !== undefined && !/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`invalid schema name: ${schema}`);
  const leaseMs = options.leaderLeaseMs ?? 15_000;
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? 10,
    ...connectionOptions(leaseMs),
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  survivePoolErrors(pool);
  if (schema) await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const channel = `maestro_events_${schema ?? 'public'}`;
  const capabilities: EngineCapabilities = {
    engine: 'postgres',
    beginSql: 'begin',
    // Each transaction commits alone: commits are the server's business here.
    maxGroup: 1,
    batchDelay: async () => undefined,
    migrationTableSchema: async (db) =>
      (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]?.schema,
    makeTx: (trx, onAppend) => postgresTx(trx, onAppend),
  };
  // The tailer reads and sequences through the root handle (the same pool).
  const tailer = new PgEventTailer(
    url,
    channel,
    eventReads(kysely).listEvents,
    () => sequenceOutbox(kysely, channel),
    connectionOptions(leaseMs),
  );
  const leadership = new PgLeaseLeadership(kysely, options.holder ?? `node/${randomUUID()}`, leaseMs);
  return openKyselyStore({ kysely, capabilities, tailer, leadership });
}
