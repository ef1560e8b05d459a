import type { Kysely } from 'kysely';

/** What the agent was last seen doing (a hook's tool name: `Bash`, `Edit`…), shown beside its last activity. */
// biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sessions').addColumn('activity_detail', 'text').execute();
}
