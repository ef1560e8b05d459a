import type { Kysely } from 'kysely';

/**
 * What a task and project tracker is expected to hold (issue #22): a project's description and
 * settings (how a worktree's branch is merged; whether task statuses follow their sessions), a
 * task's priority, parent task, start and completion times and who set its status last, and a
 * session's lineage (the session that spawned it, its role) and the note that came with its end.
 * SQLite adds one column per statement, so each is its own `alterTable`.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists
export async function up(db: Kysely<any>): Promise<void> {
  const add = (table: string, column: string, type: 'text' | 'integer' | 'bigint', fill?: string | number) =>
    db.schema
      .alterTable(table)
      .addColumn(column, type, (c) => (fill === undefined ? c : c.notNull().defaultTo(fill)))
      .execute();

  await add('projects', 'description', 'text', '');
  await add('projects', 'merge_strategy', 'text', 'merge_commit');
  await add('projects', 'auto_task_status', 'integer', 1);

  await add('tasks', 'priority', 'integer', 0);
  await add('tasks', 'parent_id', 'text');
  await add('tasks', 'started_at', 'bigint');
  await add('tasks', 'completed_at', 'bigint');
  await add('tasks', 'status_by', 'text');
  await db.schema.createIndex('tasks_parent_idx').on('tasks').column('parent_id').execute();

  await add('sessions', 'parent_session_id', 'text');
  await add('sessions', 'role', 'text', 'worker');
  await add('sessions', 'end_note', 'text');
  await db.schema.createIndex('sessions_parent_idx').on('sessions').column('parent_session_id').execute();
}
