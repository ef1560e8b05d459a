import type { Kysely } from 'kysely';

/**
 * The project queue: what the scheduler spawns, who started the project, why it ended, and when
 * it was queued, started and finished (`bigint` milliseconds). `completed_at` stays null until the
 * completion was handled (sessions ended, event emitted), which is how a status written by hand
 * into the database is noticed.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists
export async function up(db: Kysely<any>): Promise<void> {
  for (const [name, type] of [
    ['agent_command', 'text'],
    ['status_reason', 'text'],
    ['queued_at', 'bigint'],
    ['started_at', 'bigint'],
    ['completed_at', 'bigint'],
  ] as const) {
    await db.schema.alterTable('projects').addColumn(name, type).execute();
  }
  await db.schema
    .alterTable('projects')
    .addColumn('scheduled', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('projects_queue_idx').on('projects').columns(['status', 'priority', 'queued_at']).execute();
}
