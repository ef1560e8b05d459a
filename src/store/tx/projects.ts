import type { Kysely } from 'kysely';
import type { Project } from '../../domain/index.js';
import { projectFromRow, projectToRow } from '../rows.js';
import type { Database } from '../schema.js';
import type { ProjectReads, ProjectWrites } from '../store.js';
import { COUNT, insertUnique } from './shared.js';

/** {@link ProjectReads} over `db` (the root database or a transaction). */
export function projectReads(db: Kysely<Database>): ProjectReads {
  return {
    async getProject(id) {
      const row = await db.selectFrom('projects').selectAll().where('id', '=', id).executeTakeFirst();
      return row && projectFromRow(row);
    },

    async listProjects() {
      const rows = await db
        .selectFrom('projects')
        .selectAll()
        .orderBy('priority', 'desc')
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(projectFromRow);
    },

    async listProjectsByStatus(statuses) {
      if (statuses.length === 0) return [];
      const rows = await db
        .selectFrom('projects')
        .selectAll()
        .where('status', 'in', statuses)
        .orderBy('priority', 'desc')
        .orderBy('queued_at')
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(projectFromRow);
    },

    async countScheduledRunning() {
      const row = await db
        .selectFrom('projects')
        .select(COUNT.as('n'))
        .where('status', '=', 'running')
        .where('scheduled', '=', 1)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
}

/** {@link ProjectWrites} inside the transaction `db`. */
export function projectWrites(db: Kysely<Database>): ProjectWrites {
  return {
    async insertProject(project) {
      await insertUnique('project', project.id, () => db.insertInto('projects').values(projectToRow(project)).execute());
    },

    async updateProject(project) {
      const { id, ...rest } = projectToRow(project);
      await db.updateTable('projects').set(rest).where('id', '=', id).execute();
    },

    async deleteProject(id) {
      await db.deleteFrom('projects').where('id', '=', id).execute();
    },

    async dequeueProject(nowMs): Promise<Project | undefined> {
      const next = db
        .selectFrom('projects')
        .select('id')
        .where('status', '=', 'queued')
        .orderBy('priority', 'desc')
        .orderBy('queued_at')
        .orderBy('id')
        .limit(1);
      const row = await db
        .updateTable('projects')
        .set({ status: 'running', scheduled: 1, started_at: nowMs, updated_at: nowMs, status_reason: null, completed_at: null })
        .where('id', '=', (eb) => eb.selectFrom(next.as('next')).select('next.id'))
        .where('status', '=', 'queued')
        .returningAll()
        .executeTakeFirst();
      return row && projectFromRow(row);
    },
  };
}
