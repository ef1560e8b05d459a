import type { Kysely } from 'kysely';
import type { Task } from '../../domain/index.js';
import { taskFromRow, taskToRow, timelineFromRow, timelineToRow } from '../rows.js';
import type { Database } from '../schema.js';
import type { TaskReads, TaskWrites } from '../store.js';
import { groupBy, insertUnique } from './shared.js';

/** {@link TaskReads} over `db` (the root database or a transaction). */
export function taskReads(db: Kysely<Database>): TaskReads {
  /** The tasks `query` selects, each with its session ids and timeline (two more queries for all of them). */
  async function loadTasks(
    query: { execute(): Promise<Parameters<typeof taskFromRow>[0][]> },
    withTimeline = true,
  ): Promise<Task[]> {
    const rows = await query.execute();
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const [links, timeline] = await Promise.all([
      db
        .selectFrom('task_sessions')
        .select(['task_id', 'session_id'])
        .where('task_id', 'in', ids)
        .orderBy('created_at')
        .orderBy('session_id')
        .execute(),
      withTimeline
        ? db.selectFrom('task_timeline').selectAll().where('task_id', 'in', ids).orderBy('at').orderBy('id').execute()
        : [],
    ]);
    const sessionIds = groupBy(
      links,
      (l) => l.task_id,
      (l) => l.session_id,
    );
    const entries = groupBy(timeline, (e) => e.task_id, timelineFromRow);
    return rows.map((r) => taskFromRow(r, sessionIds.get(r.id) ?? [], entries.get(r.id) ?? []));
  }

  return {
    async getTask(id) {
      const [task] = await loadTasks(db.selectFrom('tasks').selectAll().where('id', '=', id));
      return task;
    },

    listTasks(filter) {
      let q = db.selectFrom('tasks').selectAll();
      if (filter.projectId) q = q.where('project_id', '=', filter.projectId);
      if (filter.status) q = q.where('status', '=', filter.status);
      if (filter.name !== undefined) q = q.where('title', '=', filter.name);
      if (filter.parentId) q = q.where('parent_id', '=', filter.parentId);
      return loadTasks(q.orderBy('priority', 'desc').orderBy('created_at', 'desc').orderBy('id', 'desc').limit(filter.limit));
    },
  };
}

/** {@link TaskWrites} inside the transaction `db`. */
export function taskWrites(db: Kysely<Database>): TaskWrites {
  return {
    async insertTask(task) {
      await insertUnique('task', task.id, () => db.insertInto('tasks').values(taskToRow(task)).execute());
    },

    async updateTask(task) {
      const { id, ...rest } = taskToRow(task);
      await db.updateTable('tasks').set(rest).where('id', '=', id).execute();
    },

    async deleteTask(id) {
      await db.deleteFrom('task_sessions').where('task_id', '=', id).execute();
      await db.deleteFrom('task_timeline').where('task_id', '=', id).execute();
      await db.deleteFrom('tasks').where('id', '=', id).execute();
    },

    async appendTimeline(taskId, entry) {
      await db.insertInto('task_timeline').values(timelineToRow(taskId, entry)).execute();
    },
  };
}
