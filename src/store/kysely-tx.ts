import { type Kysely, sql } from 'kysely';
import {
  ConflictError,
  isTerminal,
  type MaestroEvent,
  type NewEvent,
  newId,
  type Project,
  type Session,
  type SessionFilter,
  type Task,
  type TimelineEntry,
} from '../domain/index.js';
import {
  eventFromRow,
  ms,
  projectFromRow,
  projectToRow,
  type RefRow,
  refFromRow,
  sessionFromRow,
  sessionToRow,
  taskFromRow,
  taskToRow,
  timelineFromRow,
  timelineToRow,
} from './rows.js';
import type { Database } from './schema.js';
import type { ActiveRuntime, BulkEnd, SessionRef, SessionRow, SessionStats, StoreTx, TaskFilter, TaskRow } from './store.js';

/**
 * The `active` flag as SQL literals, not bound parameters: the partial indexes on live sessions
 * (`WHERE active = 1`) are usable only when the planner sees the value, and SQLite re-plans a
 * statement on every run when a bound parameter decides whether a partial index applies.
 */
const ACTIVE = sql.lit(1);
const INACTIVE = sql.lit(0);

const REF_COLUMNS = ['id', 'project_id', 'status', 'runtime_kind', 'exit_code', 'branch', 'version'] as const;

/** Rows per multi-row statement: well under SQLite's 32,766 and PostgreSQL's 65,535 bound parameters. */
const CHUNK = 1000;

function chunks<T>(items: T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Whether `err` is a unique/primary-key violation on SQLite or PostgreSQL. */
function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === '23505';
}

async function insertUnique(what: string, id: string, insert: () => Promise<unknown>): Promise<void> {
  try {
    await insert();
  } catch (err) {
    if (isUniqueViolation(err)) throw new ConflictError(`${what} ${id} already exists`, { entity: what, id });
    throw err;
  }
}

/**
 * Reads and writes over one Kysely handle: the root database for reads outside a transaction, or
 * a transaction. Engine-neutral SQL, shared by the SQLite and PostgreSQL stores.
 */
export class KyselyTx implements StoreTx {
  /**
   * @param db the root database (reads outside a transaction) or a transaction
   * @param onAppend told of every event appended through this handle (the store delivers them after commit)
   */
  constructor(
    protected readonly db: Kysely<Database>,
    private readonly onAppend?: (events: MaestroEvent[]) => void,
  ) {}

  async getProject(id: string): Promise<Project | undefined> {
    const row = await this.db.selectFrom('projects').selectAll().where('id', '=', id).executeTakeFirst();
    return row && projectFromRow(row);
  }

  async listProjects(): Promise<Project[]> {
    const rows = await this.db
      .selectFrom('projects')
      .selectAll()
      .orderBy('priority', 'desc')
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(projectFromRow);
  }

  async listProjectsByStatus(statuses: readonly Project['status'][]): Promise<Project[]> {
    if (statuses.length === 0) return [];
    const rows = await this.db
      .selectFrom('projects')
      .selectAll()
      .where('status', 'in', statuses)
      .orderBy('priority', 'desc')
      .orderBy('queued_at')
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(projectFromRow);
  }

  async countScheduledRunning(): Promise<number> {
    const row = await this.db
      .selectFrom('projects')
      .select(sql<number | string>`count(*)`.as('n'))
      .where('status', '=', 'running')
      .where('scheduled', '=', 1)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async getMeta(key: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('meta').select('value').where('key', '=', key).executeTakeFirst();
    return row?.value;
  }

  async setMeta(key: string, value: string): Promise<void> {
    await this.db
      .insertInto('meta')
      .values({ key, value })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
      .execute();
  }

  async updateProject(project: Project): Promise<void> {
    const { id, ...rest } = projectToRow(project);
    await this.db.updateTable('projects').set(rest).where('id', '=', id).execute();
  }

  async deleteProject(id: string): Promise<void> {
    await this.db.deleteFrom('projects').where('id', '=', id).execute();
  }

  async dequeueProject(nowMs: number): Promise<Project | undefined> {
    const next = this.db
      .selectFrom('projects')
      .select('id')
      .where('status', '=', 'queued')
      .orderBy('priority', 'desc')
      .orderBy('queued_at')
      .orderBy('id')
      .limit(1);
    const row = await this.db
      .updateTable('projects')
      .set({ status: 'running', scheduled: 1, started_at: nowMs, updated_at: nowMs, status_reason: null, completed_at: null })
      .where('id', '=', (eb) => eb.selectFrom(next.as('next')).select('next.id'))
      .where('status', '=', 'queued')
      .returningAll()
      .executeTakeFirst();
    return row && projectFromRow(row);
  }

  async insertProject(project: Project): Promise<void> {
    await insertUnique('project', project.id, () => this.db.insertInto('projects').values(projectToRow(project)).execute());
  }

  async getTask(id: string): Promise<Task | undefined> {
    const [task] = await this.loadTasks(this.db.selectFrom('tasks').selectAll().where('id', '=', id));
    return task;
  }

  async listTasks(filter: TaskFilter): Promise<Task[]> {
    let q = this.db.selectFrom('tasks').selectAll();
    if (filter.projectId) q = q.where('project_id', '=', filter.projectId);
    if (filter.status) q = q.where('status', '=', filter.status);
    return this.loadTasks(q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(filter.limit));
  }

  private async loadTasks(query: { execute(): Promise<Parameters<typeof taskFromRow>[0][]> }): Promise<Task[]> {
    const rows = await query.execute();
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const [links, timeline] = await Promise.all([
      this.db
        .selectFrom('task_sessions')
        .select(['task_id', 'session_id'])
        .where('task_id', 'in', ids)
        .orderBy('created_at')
        .orderBy('session_id')
        .execute(),
      this.db.selectFrom('task_timeline').selectAll().where('task_id', 'in', ids).orderBy('at').orderBy('id').execute(),
    ]);
    const sessionIds = groupBy(
      links,
      (l) => l.task_id,
      (l) => l.session_id,
    );
    const entries = groupBy(timeline, (e) => e.task_id, timelineFromRow);
    return rows.map((r) => taskFromRow(r, sessionIds.get(r.id) ?? [], entries.get(r.id) ?? []));
  }

  async insertTask(task: TaskRow): Promise<void> {
    await insertUnique('task', task.id, () => this.db.insertInto('tasks').values(taskToRow(task)).execute());
  }

  async updateTask(task: TaskRow): Promise<void> {
    const { id, ...rest } = taskToRow(task);
    await this.db.updateTable('tasks').set(rest).where('id', '=', id).execute();
  }

  async deleteTask(id: string): Promise<void> {
    await this.db.deleteFrom('task_sessions').where('task_id', '=', id).execute();
    await this.db.deleteFrom('task_timeline').where('task_id', '=', id).execute();
    await this.db.deleteFrom('tasks').where('id', '=', id).execute();
  }

  async appendTimeline(taskId: string, entry: TimelineEntry): Promise<void> {
    await this.db.insertInto('task_timeline').values(timelineToRow(taskId, entry)).execute();
  }

  async getSession(id: string): Promise<Session | undefined> {
    const [session] = await this.loadSessions(this.db.selectFrom('sessions').selectAll().where('id', '=', id));
    return session;
  }

  async listSessions(filter: SessionFilter): Promise<Session[]> {
    let q = this.db.selectFrom('sessions').selectAll();
    if (filter.status) q = q.where('status', '=', filter.status);
    if (filter.projectId) q = q.where('project_id', '=', filter.projectId);
    if (filter.branch) q = q.where('branch', '=', filter.branch);
    if (filter.created_after) q = q.where('created_at', '>', ms(filter.created_after));
    if (filter.created_before) q = q.where('created_at', '<', ms(filter.created_before));
    if (filter.active !== undefined) q = q.where('active', '=', filter.active ? ACTIVE : INACTIVE);
    const taskId = filter.taskId;
    if (taskId) {
      q = q.where(({ exists, selectFrom }) =>
        exists(
          selectFrom('task_sessions')
            .select('task_sessions.session_id')
            .whereRef('task_sessions.session_id', '=', 'sessions.id')
            .where('task_sessions.task_id', '=', taskId),
        ),
      );
    }
    return this.loadSessions(
      q
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(filter.recent ?? filter.limit),
    );
  }

  private async loadSessions(query: { execute(): Promise<Parameters<typeof sessionFromRow>[0][]> }): Promise<Session[]> {
    const rows = await query.execute();
    if (rows.length === 0) return [];
    const taskIds = await this.taskIdsOf(rows.map((r) => r.id));
    return rows.map((r) => sessionFromRow(r, taskIds.get(r.id) ?? []));
  }

  async listActiveRuntimes(host: string): Promise<ActiveRuntime[]> {
    const rows = await this.db
      .selectFrom('sessions')
      .select(['id', 'tmux_session', 'last_activity_at'])
      .where('active', '=', ACTIVE)
      .where('runtime_kind', '=', 'tmux')
      .where('host', '=', host)
      .where('tmux_session', 'is not', null)
      .orderBy('created_at')
      .execute();
    return rows.map((r) => ({ id: r.id, tmuxSession: r.tmux_session as string, lastActivityAt: Number(r.last_activity_at) }));
  }

  async oldestActivity(): Promise<number | undefined> {
    const row = await this.db
      .selectFrom('sessions')
      .select((eb) => eb.fn.min('last_activity_at').as('at'))
      .where('active', '=', ACTIVE)
      .executeTakeFirst();
    return row?.at == null ? undefined : Number(row.at);
  }

  listInactiveSessions(cutoffMs: number, limit: number): Promise<SessionRef[]> {
    return this.loadRefs(
      this.db
        .selectFrom('sessions')
        .select(REF_COLUMNS)
        .where('active', '=', ACTIVE)
        .where('last_activity_at', '<', cutoffMs)
        .orderBy('last_activity_at')
        .limit(limit),
    );
  }

  listEndedBy(cutoffMs: number, limit: number): Promise<SessionRef[]> {
    return this.loadRefs(
      this.db
        .selectFrom('sessions')
        .select(REF_COLUMNS)
        .where('completed_at', 'is not', null)
        .where('completed_at', '<=', cutoffMs)
        .orderBy('completed_at')
        .limit(limit),
    );
  }

  private async loadRefs(query: { execute(): Promise<RefRow[]> }): Promise<SessionRef[]> {
    const rows = await query.execute();
    const taskIds = await this.taskIdsOf(rows.map((r) => r.id));
    return rows.map((r) => refFromRow(r, taskIds.get(r.id) ?? []));
  }

  /** Task ids linked to each of `sessionIds`, in link order. */
  private async taskIdsOf(sessionIds: string[]): Promise<Map<string, string[]>> {
    const links: { task_id: string; session_id: string }[] = [];
    for (const part of chunks(sessionIds)) {
      links.push(
        ...(await this.db
          .selectFrom('task_sessions')
          .select(['task_id', 'session_id'])
          .where('session_id', 'in', part)
          .orderBy('created_at')
          .orderBy('task_id')
          .execute()),
      );
    }
    return groupBy(
      links,
      (l) => l.session_id,
      (l) => l.task_id,
    );
  }

  async countInactiveSessions(cutoffMs: number): Promise<number> {
    const row = await this.db
      .selectFrom('sessions')
      .select(sql<number | string>`count(*)`.as('n'))
      .where('active', '=', ACTIVE)
      .where('last_activity_at', '<', cutoffMs)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async countEndedBy(cutoffMs: number): Promise<number> {
    const row = await this.db
      .selectFrom('sessions')
      .select(sql<number | string>`count(*)`.as('n'))
      .where('completed_at', 'is not', null)
      .where('completed_at', '<=', cutoffMs)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async sessionStats(): Promise<SessionStats> {
    const [byStatusRows, active] = await Promise.all([
      this.db
        .selectFrom('sessions')
        .select(['status', sql<number | string>`count(*)`.as('n')])
        .groupBy('status')
        .execute(),
      this.db
        .selectFrom('sessions')
        .select([
          sql<number | string>`count(*)`.as('n'),
          sql<number | string | null>`min(created_at)`.as('oldest'),
          sql<number | string | null>`max(created_at)`.as('newest'),
          sql<number | string | null>`avg(created_at)`.as('mean'),
        ])
        .where('active', '=', ACTIVE)
        .executeTakeFirstOrThrow(),
    ]);
    const byStatus = Object.fromEntries(byStatusRows.map((r) => [r.status, Number(r.n)]));
    const orNull = (v: number | string | null) => (v === null ? null : Number(v));
    return {
      total: Object.values(byStatus).reduce((a, b) => a + b, 0),
      byStatus,
      active: Number(active.n),
      oldestActiveCreatedAt: orNull(active.oldest),
      newestActiveCreatedAt: orNull(active.newest),
      meanActiveCreatedAt: active.mean === null ? null : Math.round(Number(active.mean)),
    };
  }

  async endSessions(end: BulkEnd): Promise<number> {
    let ended = 0;
    for (const ids of chunks(end.ids)) {
      const result = await this.db
        .updateTable('sessions')
        .set((eb) => ({
          status: end.status,
          end_reason: end.endReason,
          active: 0,
          completed_at: end.at,
          updated_at: end.at,
          version: eb('version', '+', 1),
        }))
        .where('id', 'in', ids)
        .where('active', '=', ACTIVE)
        .executeTakeFirst();
      ended += Number(result.numUpdatedRows);
    }
    return ended;
  }

  async deleteSessions(ids: string[]): Promise<void> {
    for (const part of chunks(ids)) {
      await this.db.deleteFrom('task_sessions').where('session_id', 'in', part).execute();
      await this.db.deleteFrom('sessions').where('id', 'in', part).execute();
    }
  }

  async appendSessionEnded(sessionIds: string[], atMs: number, data: Record<string, unknown>): Promise<void> {
    const links = await this.taskIdsOf(sessionIds);
    const timestamp = new Date(atMs).toISOString();
    await this.appendTimelineEntries(
      [...links].flatMap(([sessionId, taskIds]) =>
        taskIds.map((taskId) => ({
          taskId,
          entry: { id: newId('event'), type: 'session_ended' as const, timestamp, sessionId, data },
        })),
      ),
    );
  }

  async appendTimelineEntries(entries: { taskId: string; entry: TimelineEntry }[]): Promise<void> {
    for (const part of chunks(entries, CHUNK / 2)) {
      await this.db
        .insertInto('task_timeline')
        .values(part.map(({ taskId, entry }) => timelineToRow(taskId, entry)))
        .execute();
    }
  }

  async countActiveSessions(projectId?: string): Promise<number> {
    let q = this.db.selectFrom('sessions').select(sql<number | string>`count(*)`.as('n')).where('active', '=', ACTIVE);
    if (projectId) q = q.where('project_id', '=', projectId);
    const row = await q.executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async insertSession(session: SessionRow): Promise<void> {
    await insertUnique('session', session.id, () =>
      this.db
        .insertInto('sessions')
        .values(sessionToRow(session, isTerminal(session.status)))
        .execute(),
    );
  }

  async updateSession(session: SessionRow, expectedVersion: number): Promise<void> {
    const { id, ...rest } = sessionToRow(session, isTerminal(session.status));
    const result = await this.db
      .updateTable('sessions')
      .set(rest)
      .where('id', '=', id)
      .where('version', '=', expectedVersion)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) {
      throw new ConflictError(`session ${id} was changed by another writer (expected version ${expectedVersion})`, {
        sessionId: id,
        expectedVersion,
      });
    }
  }

  async deleteSession(id: string): Promise<void> {
    await this.db.deleteFrom('task_sessions').where('session_id', '=', id).execute();
    await this.db.deleteFrom('sessions').where('id', '=', id).execute();
  }

  async linkTaskSession(taskId: string, sessionId: string, at: number): Promise<boolean> {
    const result = await this.db
      .insertInto('task_sessions')
      .values({ task_id: taskId, session_id: sessionId, created_at: at })
      .onConflict((oc) => oc.columns(['task_id', 'session_id']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
  }

  async unlinkTaskSession(taskId: string, sessionId: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('task_sessions')
      .where('task_id', '=', taskId)
      .where('session_id', '=', sessionId)
      .executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  }

  async appendEvents(events: NewEvent[], at: number): Promise<MaestroEvent[]> {
    const appended: MaestroEvent[] = [];
    const atIso = new Date(at).toISOString();
    for (const part of chunks(events)) {
      const rows = part.map((e) => ({ id: newId('event'), type: e.type, at, data: JSON.stringify(e.data) }));
      const seqs = await this.db.insertInto('events').values(rows).returning('seq').execute();
      // Rows of one multi-row insert get consecutive sequence numbers in insertion order.
      const first = Math.min(...seqs.map((r) => Number(r.seq)));
      part.forEach((e, i) => {
        appended.push({ seq: first + i, id: (rows[i] as { id: string }).id, type: e.type, at: atIso, data: e.data });
      });
    }
    this.onAppend?.(appended);
    return appended;
  }

  async listEvents(afterSeq: number, limit: number): Promise<MaestroEvent[]> {
    const rows = await this.db.selectFrom('events').selectAll().where('seq', '>', afterSeq).orderBy('seq').limit(limit).execute();
    return rows.map(eventFromRow);
  }

  async listNodes(): Promise<{ host: string; heartbeatAt: number }[]> {
    const rows = await this.db.selectFrom('nodes').selectAll().orderBy('host').execute();
    return rows.map((r) => ({ host: r.host, heartbeatAt: Number(r.heartbeat_at) }));
  }

  async heartbeat(host: string, nowMs: number): Promise<void> {
    await this.db
      .insertInto('nodes')
      .values({ host, heartbeat_at: nowMs })
      .onConflict((oc) => oc.column('host').doUpdateSet({ heartbeat_at: nowMs }))
      .execute();
  }

  async instanceId(): Promise<string> {
    const row = await this.db.selectFrom('meta').select('value').where('key', '=', 'instance_id').executeTakeFirstOrThrow();
    return row.value;
  }

  async pruneEvents(throughSeq: number): Promise<number> {
    const result = await this.db.deleteFrom('events').where('seq', '<=', throughSeq).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async lastSeq(): Promise<number> {
    const row = await this.db.selectFrom('events').select(sql<number | string | null>`max(seq)`.as('seq')).executeTakeFirst();
    return Number(row?.seq ?? 0);
  }

  async firstSeq(): Promise<number | null> {
    const row = await this.db.selectFrom('events').select(sql<number | string | null>`min(seq)`.as('seq')).executeTakeFirst();
    return row?.seq == null ? null : Number(row.seq);
  }
}

function groupBy<T, V>(items: T[], key: (item: T) => string, value: (item: T) => V): Map<string, V[]> {
  const map = new Map<string, V[]>();
  for (const item of items) {
    const k = key(item);
    const list = map.get(k);
    if (list) list.push(value(item));
    else map.set(k, [value(item)]);
  }
  return map;
}
