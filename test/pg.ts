import pg from 'pg';

/** The PostgreSQL the suites run against (scripts/ensure-test-services.sh starts the local cluster). */
export const PG_URL = process.env.MAESTRO_TEST_PG ?? 'postgres://postgres:maestro@127.0.0.1:5432/maestro_test';

/** Runs `sql` as the admin of {@link PG_URL}; false when PostgreSQL cannot be reached. */
export async function pgAdmin(sql: string): Promise<boolean> {
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

/** A database URL whose connections use `schema` (created when reachable); `undefined` when PostgreSQL is not. */
export async function pgSchemaUrl(schema: string): Promise<string | undefined> {
  if (!(await pgAdmin(`CREATE SCHEMA IF NOT EXISTS ${schema}`))) {
    // Under CI a missing PostgreSQL fails the run instead of skipping what only it can test.
    if (process.env.CI)
      throw new Error(`PostgreSQL is not reachable at ${PG_URL} (CI needs it: scripts/ensure-test-services.sh)`);
    console.warn(`\n!!! PostgreSQL is not reachable at ${PG_URL}: its part of this file did NOT run !!!\n`);
    return undefined;
  }
  return `${PG_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
}
