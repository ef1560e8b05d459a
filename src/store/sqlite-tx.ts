import type SqliteDatabase from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type { MaestroEvent } from '../domain/index.js';
import { type RefRow, refFromRow } from './rows.js';
import type { Database } from './schema.js';
import type { SessionRef, StoreTx } from './store.js';
import { kyselyTx } from './tx/index.js';
import { type LinkRow, sessionEndedIds } from './tx/sessions.js';

/** A ref row with its task ids as a JSON array (`json_group_array`). */
type RefRowWithTasks = RefRow & { task_ids: string };

const refWithTasks = (r: RefRowWithTasks): SessionRef => refFromRow(r, JSON.parse(r.task_ids));

/** Prepared statements for the bulk writes of sweeps, compiled once per database. */
export class SqliteBulkStatements {
  readonly endSessions: SqliteDatabase.Statement;
  readonly deleteLinks: SqliteDatabase.Statement;
  readonly deleteSessions: SqliteDatabase.Statement;
  readonly orphanChildren: SqliteDatabase.Statement;
  readonly listInactive: SqliteDatabase.Statement;
  readonly links: SqliteDatabase.Statement;
  readonly sessionEnded: SqliteDatabase.Statement;
  readonly listEndedBy: SqliteDatabase.Statement;

  constructor(database: SqliteDatabase.Database) {
    const ids = 'SELECT value FROM json_each(?)';
    this.endSessions = database.prepare(
      `UPDATE sessions SET status = ?, end_reason = ?, active = 0, completed_at = ?, updated_at = ?, version = version + 1 WHERE id IN (${ids}) AND active = 1`,
    );
    this.deleteLinks = database.prepare(`DELETE FROM task_sessions WHERE session_id IN (${ids})`);
    this.deleteSessions = database.prepare(`DELETE FROM sessions WHERE id IN (${ids})`);
    // A deleted session's children keep no reference to it (served by sessions_parent_idx).
    this.orphanChildren = database.prepare(`UPDATE sessions SET parent_session_id = NULL WHERE parent_session_id IN (${ids})`);
    this.links = database.prepare(
      `SELECT task_id, session_id FROM task_sessions WHERE session_id IN (${ids}) ORDER BY created_at, task_id`,
    );
    // One statement for all entries, their [id, task_id, session_id] bound as one JSON array.
    this.sessionEnded = database.prepare(
      `INSERT INTO task_timeline (id, task_id, type, at, session_id, data)
       SELECT value ->> 0, value ->> 1, 'session_ended', ?, value ->> 2, ? FROM json_each(?)`,
    );
    // The task ids come along in the same statement (one JSON array per session), in link order.
    const ref = `SELECT s.id, s.project_id, s.status, s.runtime_kind, s.exit_code, s.branch, s.version,
      (SELECT json_group_array(task_id) FROM (SELECT task_id FROM task_sessions WHERE session_id = s.id ORDER BY created_at, task_id)) AS task_ids
      FROM sessions s`;
    this.listInactive = database.prepare(
      // The range on the activity index first (the later of the two cutoffs), then each one's rule.
      `${ref} WHERE s.active = 1 AND s.last_activity_at < ?
         AND ((s.status != 'paused' AND s.last_activity_at < ?) OR (s.status = 'paused' AND s.last_activity_at < ?))
       ORDER BY s.last_activity_at LIMIT ?`,
    );
    this.listEndedBy = database.prepare(
      `${ref} WHERE s.completed_at IS NOT NULL AND s.completed_at <= ? ORDER BY s.completed_at LIMIT ?`,
    );
  }
}

/**
 * The handle of one SQLite transaction over `trx`: the engine-neutral one, whose bulk writes (sweeps
 * over thousands of sessions) run as `bulk`'s prepared statements on the same connection — inside
 * the open transaction — instead of statements rebuilt by the query builder for every chunk.
 * @param onAppend told of every event appended through it
 */
export function sqliteTx(trx: Kysely<Database>, onAppend: (events: MaestroEvent[]) => void, bulk: SqliteBulkStatements): StoreTx {
  return {
    ...kyselyTx(trx, onAppend),
    listInactiveSessions: async (cutoffMs, limit, pausedCutoffMs = -1) =>
      (bulk.listInactive.all(Math.max(cutoffMs, pausedCutoffMs), cutoffMs, pausedCutoffMs, limit) as RefRowWithTasks[]).map(
        refWithTasks,
      ),
    listEndedBy: async (cutoffMs, limit) => (bulk.listEndedBy.all(cutoffMs, limit) as RefRowWithTasks[]).map(refWithTasks),
    endSessions: async (end) => bulk.endSessions.run(end.status, end.endReason, end.at, end.at, JSON.stringify(end.ids)).changes,
    async deleteSessions(ids) {
      const list = JSON.stringify(ids);
      bulk.deleteLinks.run(list);
      bulk.deleteSessions.run(list);
      bulk.orphanChildren.run(list);
    },
    async appendSessionEnded(sessionIds, atMs, data) {
      // The ids are made here (time-sortable, like every timeline entry's), not by SQL.
      const entries = sessionEndedIds(bulk.links.all(JSON.stringify(sessionIds)) as LinkRow[]);
      bulk.sessionEnded.run(atMs, JSON.stringify(data), JSON.stringify(entries));
    },
  };
}
