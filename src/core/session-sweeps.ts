import { type EndReason, endStatusFor, type NewEvent, type SessionEndedData } from '../domain/index.js';
import type { SessionRef, StoreTx } from '../store/index.js';

/**
 * Ends `sessions` (all non-terminal, none with a runtime to kill) in bulk inside `tx`: one update,
 * a `session_ended` timeline entry per linked task, one `sessions:ended` event for the batch.
 * `nowMs` is in milliseconds since the epoch.
 */
export async function endSessionsInTx(tx: StoreTx, sessions: SessionRef[], reason: EndReason, nowMs: number): Promise<void> {
  if (sessions.length === 0) return;
  const status = endStatusFor(reason) as 'completed' | 'failed';
  const at = new Date(nowMs).toISOString();
  const ids = sessions.map((s) => s.id);
  await tx.endSessions({ ids, status, endReason: reason, at: nowMs });
  await tx.appendSessionEnded(ids, nowMs, { reason });
  // One event for the whole batch: a sweep may end thousands of sessions at once. Each entry is
  // written out field by field: this loop runs once per sweep, cold, and a spread per session
  // cost more than the SQL around it.
  const ended: SessionEndedData[] = sessions.map((s) => ({
    id: s.id,
    projectId: s.projectId,
    taskIds: s.taskIds,
    status,
    endReason: reason,
    exitCode: s.exitCode,
    completedAt: at,
    updatedAt: at,
    version: s.version + 1,
  }));
  await tx.appendEvents([{ type: 'sessions:ended', data: { reason, sessions: ended } }], nowMs);
}

/**
 * Deletes one session inside `tx` with the full cascade (docs/design.md §Lifecycle guarantees (G1)): its task links
 * go both ways, each task's timeline gets `session_ended` (reason `reason`), and the events
 * `session:task_removed` / `task:session_removed` per link and `session:deleted` are appended.
 * `nowMs` is in milliseconds since the epoch.
 */
export async function deleteSessionInTx(
  tx: StoreTx,
  s: Pick<SessionRef, 'id' | 'projectId' | 'taskIds'>,
  reason: string,
  nowMs: number,
): Promise<void> {
  await tx.appendSessionEnded([s.id], nowMs, { reason });
  await tx.deleteSessions([s.id]);
  const events: NewEvent[] = s.taskIds.flatMap((taskId) => [
    { type: 'session:task_removed' as const, data: { sessionId: s.id, taskId } },
    { type: 'task:session_removed' as const, data: { taskId, sessionId: s.id } },
  ]);
  events.push({ type: 'session:deleted', data: { id: s.id, projectId: s.projectId, taskIds: s.taskIds, reason } });
  await tx.appendEvents(events, nowMs);
}

/**
 * Purges `sessions` in bulk inside `tx` with the cascade of a delete (docs/design.md §Lifecycle guarantees (G4)):
 * links gone both ways, `session_ended` (reason `purged`) on each linked task's timeline, and one
 * `sessions:purged` event for the batch. `nowMs` is in milliseconds since the epoch.
 */
export async function purgeSessionsInTx(
  tx: StoreTx,
  sessions: Pick<SessionRef, 'id' | 'projectId' | 'taskIds'>[],
  nowMs: number,
): Promise<void> {
  if (sessions.length === 0) return;
  await tx.appendSessionEnded(
    sessions.map((s) => s.id),
    nowMs,
    { reason: 'purged' },
  );
  await tx.deleteSessions(sessions.map((s) => s.id));
  await tx.appendEvents(
    [
      {
        type: 'sessions:purged',
        data: { reason: 'purged', sessions: sessions.map((s) => ({ id: s.id, projectId: s.projectId, taskIds: s.taskIds })) },
      },
    ],
    nowMs,
  );
}

/** The `session:ended` event data of a session that just ended. */
export function endedData(s: SessionEndedData & Record<string, unknown>): Record<string, unknown> & SessionEndedData {
  return {
    id: s.id,
    projectId: s.projectId,
    taskIds: s.taskIds,
    status: s.status,
    endReason: s.endReason,
    exitCode: s.exitCode,
    completedAt: s.completedAt,
    updatedAt: s.updatedAt,
    version: s.version,
  };
}
