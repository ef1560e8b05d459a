import type { Kysely } from 'kysely';

/** How Maestro started a session (`{command, cwd, agent, restartOf}` as JSON text), null for a record it did not spawn. */
// biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sessions').addColumn('launch', 'text').execute();
}
