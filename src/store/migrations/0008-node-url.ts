import type { Kysely } from 'kysely';

/** Where each node answers (`MAESTRO_ADVERTISE_URL`), so a node can forward per-session requests to the node that runs the session. */
// biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('nodes').addColumn('url', 'text').execute();
}
