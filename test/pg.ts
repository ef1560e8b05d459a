import pg from 'pg';
import { type Cleanup, serviceUnavailable } from './helpers.js';

/** The PostgreSQL the suites run against (scripts/ensure-test-services.sh starts the local cluster). */
export const PG_URL = process.env.MAESTRO_TEST_PG ?? 'postgres://postgres:maestro@127.0.0.1:5432/maestro_test';

/** Runs `sql` as the admin of {@link PG_URL}; false when PostgreSQL cannot be reached. */
export async function pgAdmin(sql = 'SELECT 1'): Promise<boolean> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query(sql);
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Whether PostgreSQL answers; when it does not, says loudly that `what` did not run (and fails the
 * run under CI: `serviceUnavailable`).
 */
export async function pgAvailable(what: string): Promise<boolean> {
  if (await pgAdmin()) return true;
  serviceUnavailable(`PostgreSQL at ${PG_URL}`, what);
  return false;
}

/** A database URL whose connections use `schema` (created first); `undefined` when PostgreSQL is not reachable. */
export async function pgSchemaUrl(schema: string, what: string): Promise<string | undefined> {
  if (!(await pgAvailable(what)) || !(await pgAdmin(`CREATE SCHEMA IF NOT EXISTS ${schema}`))) return undefined;
  return `${PG_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
}

/**
 * An `afterAll` of a suite on its own schema: runs `cleanup` (servers, sockets, files), then drops
 * `schema` and runs the `more` admin statements, even when a step of the cleanup failed (a run
 * that timed out must not leave its schema behind).
 */
export async function cleanUpThenDrop(cleanup: Cleanup, schema: string, ...more: string[]): Promise<void> {
  try {
    await cleanup.run();
  } finally {
    await pgAdmin(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    for (const statement of more) await pgAdmin(statement);
  }
}
