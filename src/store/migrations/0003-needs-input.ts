import type { Kysely } from 'kysely';

/** Whether a session waits for its user: `{active, reason, message, since}` as JSON text, null when never asked. */
// biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sessions').addColumn('needs_input', 'text').execute();
}
