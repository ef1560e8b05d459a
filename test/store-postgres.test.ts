import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { openPostgresStore } from '../src/store/index.js';
import { pgAvailable, PG_URL as URL } from './pg.js';
import { describeStoreContract } from './store-contract.js';

const available = await pgAvailable('the PostgreSQL store contract suite');
let counter = 0;

if (available) {
  describeStoreContract('PostgreSQL', async () => {
    // Each test gets a schema of its own, dropped afterwards.
    const schema = `maestro_test_${process.pid}_${++counter}`;
    let store = await openPostgresStore(URL, { schema });
    return {
      store,
      async reopen() {
        store = await openPostgresStore(URL, { schema });
        return store;
      },
      async cleanup() {
        await store.close().catch(() => undefined);
        const admin = new pg.Client({ connectionString: URL });
        await admin.connect();
        await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await admin.end();
      },
    };
  });

  describe('PostgreSQL schemas', () => {
    it('migrates a schema of its own while other schemas of the database hold Maestro tables (found by running files in parallel)', async () => {
      const schemas = [1, 2, 3].map((i) => `maestro_schemas_${process.pid}_${i}`);
      const admin = new pg.Client({ connectionString: URL });
      await admin.connect();
      try {
        // The first one migrates alone, so the other two find its migration tables in the database.
        const first = await openPostgresStore(URL, { schema: schemas[0] });
        const rest = await Promise.all(schemas.slice(1).map((schema) => openPostgresStore(URL, { schema })));
        for (const store of [first, ...rest]) {
          expect(await store.listProjects()).toEqual([]);
          await store.close();
        }
        const { rows } = await admin.query(
          `SELECT table_schema FROM information_schema.tables WHERE table_name = 'kysely_migration' AND table_schema = ANY($1) ORDER BY 1`,
          [schemas],
        );
        expect(rows.map((r: { table_schema: string }) => r.table_schema)).toEqual([...schemas].sort());
      } finally {
        for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await admin.end();
      }
    });
  });
} else {
  // pgAvailable said so loudly (and failed the run under CI).
  describe('Store contract (PostgreSQL)', () => {
    it.skip(`PostgreSQL is not reachable at ${URL}`, () => undefined);
  });
}
