import type { Kysely } from 'kysely';

/**
 * The session side of task links becomes a covering index in link order: a session's task ids
 * (every session read, and each of the thousands of sessions a sweep ends) come from the index
 * alone, already sorted, instead of a row lookup and a sort per session.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('task_sessions_session_idx').execute();
  await db.schema
    .createIndex('task_sessions_session_idx')
    .on('task_sessions')
    .columns(['session_id', 'created_at', 'task_id'])
    .execute();
}
