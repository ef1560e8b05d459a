import { type Kysely, sql } from 'kysely';
import { ConflictError, EMPTY_STATISTICS, isTerminal, newId, type Session, type SessionFilter } from '../../domain/index.js';
import { ms, type RefRow, refFromRow, sessionFromRow, sessionToRow, summaryFromRow } from '../rows.js';
import type { Database } from '../schema.js';
import type { SessionReads, SessionRef, SessionWrites } from '../store.js';
import { ACTIVE, CHUNK, COUNT, chunks, groupBy, INACTIVE, insertUnique } from './shared.js';

const REF_COLUMNS = ['id', 'project_id', 'status', 'runtime_kind', 'exit_code', 'branch', 'version'] as const;

/** A task–session link. */
export interface LinkRow {
  task_id: string;
  session_id: string;
}

/** The task links of `sessionIds`, in link order. */
async function linksOf(db: Kysely<Database>, sessionIds: string[]): Promise<LinkRow[]> {
  const links: LinkRow[] = [];
  for (const part of chunks(sessionIds)) {
    links.push(
      ...(await db
        .selectFrom('task_sessions')
        .select(['task_id', 'session_id'])
        .where('session_id', 'in', part)
        .orderBy('created_at')
        .orderBy('task_id')
        .execute()),
    );
  }
  return links;
}

/** Task ids linked to each of `sessionIds`, in link order. */
async function taskIdsOf(db: Kysely<Database>, sessionIds: string[]): Promise<Map<string, string[]>> {
  return groupBy(
    await linksOf(db, sessionIds),
    (l) => l.session_id,
    (l) => l.task_id,
  );
}

/**
 * The `session_ended` timeline entries of `links` as `[id, taskId, sessionId]`, each id a fresh
 * time-sortable `evt_` id from `newId` like every other timeline entry's (docs/design.md §Wire
 * conventions).
 */
export function sessionEndedIds(links: LinkRow[]): [string, string, string][] {
  return links.map((l) => [newId('event'), l.task_id, l.session_id]);
}

/** The columns a session summary is made of (see `summaryFromRow`). */
const SUMMARY_COLUMNS = [
  'id',
  'name',
  'project_id',
  'status',
  'agent_state',
  'waiting_for',
  'created_at',
  'last_activity_at',
  'completed_at',
  'end_reason',
  'exit_code',
  'statistics',
  'parent_session_id',
  'role',
  'host',
  'version',
] as const;

/** The sessions `filter` selects (its page start included), as a query to select from. */
function filtered(db: Kysely<Database>, filter: SessionFilter) {
  let q = db.selectFrom('sessions');
  if (filter.status) q = q.where('status', '=', filter.status);
  if (filter.projectId) q = q.where('project_id', '=', filter.projectId);
  if (filter.branch) q = q.where('branch', '=', filter.branch);
  if (filter.name !== undefined) q = q.where('name', '=', filter.name);
  if (filter.parentSessionId) q = q.where('parent_session_id', '=', filter.parentSessionId);
  // `exited` is every ended session that had an agent (see sessionFromRow); the others are live.
  if (filter.agentState === 'exited') q = q.where('active', '=', INACTIVE).where('agent_state', 'is not', null);
  else if (filter.agentState) q = q.where('active', '=', ACTIVE).where('agent_state', '=', filter.agentState);
  // A prefix compared as a prefix: LIKE would read the `_` of every id as a wildcard.
  const prefix = filter.idPrefix;
  if (prefix) q = q.where((eb) => eb(eb.fn('substr', ['id', eb.val(1), eb.val(prefix.length)]), '=', prefix));
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
  // Keyset paging on the list's order (newest first): after the last session of the page before,
  // never an OFFSET scan, and stable while sessions are created (they sort before the cursor).
  const after = filter.after;
  if (after)
    q = q.where((eb) =>
      eb.or([
        eb('created_at', '<', after.createdAtMs),
        eb.and([eb('created_at', '=', after.createdAtMs), eb('id', '<', after.id)]),
      ]),
    );
  return q;
}

/** One page of `query` in the list's order, newest first. */
function page<Q extends { orderBy(column: 'created_at' | 'id', direction: 'desc'): Q; limit(n: number): Q }>(
  query: Q,
  filter: SessionFilter,
): Q {
  return query
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(filter.recent ?? filter.limit);
}

/** {@link SessionReads} over `db` (the root database or a transaction). */
export function sessionReads(db: Kysely<Database>): SessionReads {
  async function loadSessions(query: { execute(): Promise<Parameters<typeof sessionFromRow>[0][]> }): Promise<Session[]> {
    const rows = await query.execute();
    if (rows.length === 0) return [];
    const taskIds = await taskIdsOf(
      db,
      rows.map((r) => r.id),
    );
    return rows.map((r) => sessionFromRow(r, taskIds.get(r.id) ?? []));
  }

  async function loadRefs(query: { execute(): Promise<RefRow[]> }): Promise<SessionRef[]> {
    const rows = await query.execute();
    const taskIds = await taskIdsOf(
      db,
      rows.map((r) => r.id),
    );
    return rows.map((r) => refFromRow(r, taskIds.get(r.id) ?? []));
  }

  // The sweeps' two sets, each listed and counted.
  /** Non-terminal sessions last active before `cutoffMs` (partial index on live sessions). */
  /**
   * Live sessions past their inactivity deadline: last active before `cutoffMs`, or before
   * `pausedCutoffMs` when paused. The range on the activity index comes first.
   */
  const inactiveBefore = (cutoffMs: number, pausedCutoffMs = -1) =>
    db
      .selectFrom('sessions')
      .where('active', '=', ACTIVE)
      .where('last_activity_at', '<', Math.max(cutoffMs, pausedCutoffMs))
      .where((eb) =>
        eb.or([
          eb.and([eb('status', '!=', 'paused'), eb('last_activity_at', '<', cutoffMs)]),
          eb.and([eb('status', '=', 'paused'), eb('last_activity_at', '<', pausedCutoffMs)]),
        ]),
      );
  /** Sessions that ended at or before `cutoffMs` (partial index on ended sessions). */
  const endedBy = (cutoffMs: number) =>
    db.selectFrom('sessions').where('completed_at', 'is not', null).where('completed_at', '<=', cutoffMs);

  return {
    async getSession(id) {
      const [session] = await loadSessions(db.selectFrom('sessions').selectAll().where('id', '=', id));
      return session;
    },

    listSessions(filter) {
      return loadSessions(page(filtered(db, filter).selectAll(), filter));
    },

    async listSessionSummaries(filter) {
      const rows = await page(filtered(db, filter).select(SUMMARY_COLUMNS), filter).execute();
      if (rows.length === 0) return [];
      const taskIds = await taskIdsOf(
        db,
        rows.map((r) => r.id),
      );
      return rows.map((r) => summaryFromRow(r, taskIds.get(r.id) ?? []));
    },

    async countSessions(filter) {
      // The page's start is not a filter: the total counts every match.
      const row = await filtered(db, { ...filter, after: undefined })
        .select(COUNT.as('n'))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    async listActiveRuntimes(host) {
      const rows = await db
        .selectFrom('sessions')
        .select(['id', 'tmux_session', 'last_activity_at', 'status'])
        .where('active', '=', ACTIVE)
        .where('runtime_kind', '=', 'tmux')
        .where('host', '=', host)
        .where('tmux_session', 'is not', null)
        .orderBy('created_at')
        .execute();
      return rows.map((r) => ({
        id: r.id,
        tmuxSession: r.tmux_session as string,
        lastActivityAt: Number(r.last_activity_at),
        paused: r.status === 'paused',
      }));
    },

    async oldestActivity(paused = false) {
      const row = await db
        .selectFrom('sessions')
        .select((eb) => eb.fn.min('last_activity_at').as('at'))
        .where('active', '=', ACTIVE)
        .where('status', paused ? '=' : '!=', 'paused')
        .executeTakeFirst();
      return row?.at == null ? undefined : Number(row.at);
    },

    listInactiveSessions(cutoffMs, limit, pausedCutoffMs) {
      return loadRefs(inactiveBefore(cutoffMs, pausedCutoffMs).select(REF_COLUMNS).orderBy('last_activity_at').limit(limit));
    },

    listEndedBy(cutoffMs, limit) {
      return loadRefs(endedBy(cutoffMs).select(REF_COLUMNS).orderBy('completed_at').limit(limit));
    },

    async countInactiveSessions(cutoffMs, pausedCutoffMs) {
      return Number((await inactiveBefore(cutoffMs, pausedCutoffMs).select(COUNT.as('n')).executeTakeFirstOrThrow()).n);
    },

    async countEndedBy(cutoffMs) {
      return Number((await endedBy(cutoffMs).select(COUNT.as('n')).executeTakeFirstOrThrow()).n);
    },

    async countActiveSessions(projectId) {
      let q = db.selectFrom('sessions').select(COUNT.as('n')).where('active', '=', ACTIVE);
      if (projectId) q = q.where('project_id', '=', projectId);
      const row = await q.executeTakeFirstOrThrow();
      return Number(row.n);
    },

    async listUsage() {
      const rows = await db.selectFrom('sessions').select(['project_id', 'statistics']).execute();
      return rows.map((r) => ({ projectId: r.project_id, statistics: { ...EMPTY_STATISTICS, ...JSON.parse(r.statistics) } }));
    },

    async sessionStats() {
      const [byStatusRows, active, byAgentStateRows] = await Promise.all([
        db
          .selectFrom('sessions')
          .select(['status', COUNT.as('n')])
          .groupBy('status')
          .execute(),
        db
          .selectFrom('sessions')
          .select([
            COUNT.as('n'),
            sql<number | string | null>`min(created_at)`.as('oldest'),
            sql<number | string | null>`max(created_at)`.as('newest'),
            sql<number | string | null>`avg(created_at)`.as('mean'),
          ])
          .where('active', '=', ACTIVE)
          .executeTakeFirstOrThrow(),
        db
          .selectFrom('sessions')
          .select(['agent_state', COUNT.as('n')])
          .where('active', '=', ACTIVE)
          .where('agent_state', 'is not', null)
          .groupBy('agent_state')
          .execute(),
      ]);
      const byStatus = Object.fromEntries(byStatusRows.map((r) => [r.status, Number(r.n)]));
      const orNull = (v: number | string | null) => (v === null ? null : Number(v));
      return {
        total: Object.values(byStatus).reduce((a, b) => a + b, 0),
        byStatus,
        active: Number(active.n),
        byAgentState: Object.fromEntries(byAgentStateRows.map((r) => [r.agent_state as string, Number(r.n)])),
        oldestActiveCreatedAt: orNull(active.oldest),
        newestActiveCreatedAt: orNull(active.newest),
        meanActiveCreatedAt: active.mean === null ? null : Math.round(Number(active.mean)),
      };
    },
  };
}

/** {@link SessionWrites} inside the transaction `db`. */
export function sessionWrites(db: Kysely<Database>): SessionWrites {
  return {
    async insertSession(session) {
      await insertUnique('session', session.id, () =>
        db
          .insertInto('sessions')
          .values(sessionToRow(session, isTerminal(session.status)))
          .execute(),
      );
    },

    async updateSession(session, expectedVersion) {
      const { id, ...rest } = sessionToRow(session, isTerminal(session.status));
      const result = await db
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
    },

    async endSessions(end) {
      let ended = 0;
      for (const ids of chunks(end.ids)) {
        const result = await db
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
    },

    async deleteSessions(ids) {
      for (const part of chunks(ids)) {
        await db.deleteFrom('task_sessions').where('session_id', 'in', part).execute();
        await db.deleteFrom('sessions').where('id', 'in', part).execute();
        await db.updateTable('sessions').set({ parent_session_id: null }).where('parent_session_id', 'in', part).execute();
      }
    },

    async appendSessionEnded(sessionIds, atMs, data) {
      const json = JSON.stringify(data);
      const rows = sessionEndedIds(await linksOf(db, sessionIds)).map(([id, taskId, sessionId]) => ({
        id,
        task_id: taskId,
        type: 'session_ended',
        at: atMs,
        session_id: sessionId,
        data: json,
      }));
      for (const part of chunks(rows, CHUNK / 2)) await db.insertInto('task_timeline').values(part).execute();
    },

    async linkTaskSession(taskId, sessionId, at) {
      const result = await db
        .insertInto('task_sessions')
        .values({ task_id: taskId, session_id: sessionId, created_at: at })
        .onConflict((oc) => oc.columns(['task_id', 'session_id']).doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
    },

    async unlinkTaskSession(taskId, sessionId) {
      const result = await db
        .deleteFrom('task_sessions')
        .where('task_id', '=', taskId)
        .where('session_id', '=', sessionId)
        .executeTakeFirst();
      return Number(result.numDeletedRows) === 1;
    },
  };
}
