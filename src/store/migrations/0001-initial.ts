import { randomUUID } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import type { Engine } from '../engine.js';

/**
 * The initial schema: projects, tasks with timeline, sessions, the task↔session link table and the
 * event log. Timestamps are `bigint` milliseconds on both engines.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists
export async function up(db: Kysely<any>, engine: Engine): Promise<void> {
  const ts = 'bigint';

  // Facts about this database, such as the id that tags the tmux sessions it owns.
  await db.schema
    .createTable('meta')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();
  await db
    .insertInto('meta')
    .values({ key: 'instance_id', value: `inst_${randomUUID().replaceAll('-', '')}` })
    .execute();

  await db.schema
    .createTable('projects')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('repo_path', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('priority', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('tasks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('tasks_project_idx').on('tasks').columns(['project_id', 'created_at']).execute();

  await db.schema
    .createTable('task_timeline')
    // Not a key: entries are read by task, and an extra unique index would slow bulk cascades.
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('task_id', 'text', (c) => c.notNull().references('tasks.id').onDelete('cascade'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('at', ts, (c) => c.notNull())
    .addColumn('session_id', 'text')
    .addColumn('data', 'text')
    .execute();
  await db.schema.createIndex('task_timeline_task_idx').on('task_timeline').columns(['task_id', 'at']).execute();

  await db.schema
    .createTable('sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('feature_request', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('active', 'integer', (c) => c.notNull())
    .addColumn('phase', 'text')
    .addColumn('branch', 'text')
    .addColumn('git_context', 'text', (c) => c.notNull())
    .addColumn('prd_reference', 'text')
    .addColumn('statistics', 'text', (c) => c.notNull())
    .addColumn('configuration', 'text', (c) => c.notNull())
    .addColumn('runtime_kind', 'text', (c) => c.notNull())
    .addColumn('host', 'text')
    .addColumn('tmux_session', 'text')
    .addColumn('pid', 'integer')
    .addColumn('exit_code', 'integer')
    .addColumn('output', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .addColumn('last_activity_at', ts, (c) => c.notNull())
    .addColumn('message_count', 'integer', (c) => c.notNull())
    .addColumn('completed_at', ts)
    .addColumn('end_reason', 'text')
    .addColumn('version', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sessions_project_idx').on('sessions').columns(['project_id', 'created_at']).execute();
  await db.schema.createIndex('sessions_created_idx').on('sessions').column('created_at').execute();
  await db.schema.createIndex('sessions_status_idx').on('sessions').columns(['status', 'created_at']).execute();
  await db.schema.createIndex('sessions_branch_idx').on('sessions').column('branch').execute();
  // The inactivity sweep reads only active sessions past their deadline. Partial, so ending a
  // session removes one entry and adds none: sweeps update thousands of rows at once.
  await db.schema
    .createIndex('sessions_activity_idx')
    .on('sessions')
    .column('last_activity_at')
    .where(sql.ref('active'), '=', 1)
    .execute();
  // The retention purge reads only ended sessions past retention: (completed_at) where ended.
  await db.schema
    .createIndex('sessions_completed_idx')
    .on('sessions')
    .column('completed_at')
    .where(sql.ref('completed_at'), 'is not', null)
    .execute();

  await db.schema
    .createTable('task_sessions')
    .addColumn('task_id', 'text', (c) => c.notNull().references('tasks.id').onDelete('cascade'))
    .addColumn('session_id', 'text', (c) => c.notNull().references('sessions.id').onDelete('cascade'))
    .addColumn('created_at', ts, (c) => c.notNull())
    .addPrimaryKeyConstraint('task_sessions_pk', ['task_id', 'session_id'])
    .execute();
  await db.schema.createIndex('task_sessions_session_idx').on('task_sessions').column('session_id').execute();

  await db.schema
    .createTable('events')
    // SQLite: AUTOINCREMENT never reuses a sequence number, even after the newest rows are purged.
    .addColumn('seq', engine === 'postgres' ? 'bigserial' : 'integer', (c) =>
      engine === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
    )
    // `id` is unique by construction (a ULID); the log is read and pruned by `seq`, so no other index.
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('at', ts, (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .execute();
}
