import { type EndReason, endStatusFor, type NewEvent, newId, type Session } from '../domain/index.js';
import type { StoreTx } from '../store/index.js';

/**
 * Ends `sessions` (all non-terminal, none with a runtime to kill) in bulk inside `tx`: one update
 * per chunk, a `session_ended` timeline entry per linked task, a `session:ended` event per session.
 * `nowMs` is in milliseconds since the epoch.
 */
export async function endSessionsInTx(tx: StoreTx, sessions: Session[], reason: EndReason, nowMs: number): Promise<void> {
  if (sessions.length === 0) return;
  const status = endStatusFor(reason) as 'completed' | 'failed';
  const at = new Date(nowMs).toISOString();
  await tx.endSessions({ ids: sessions.map((s) => s.id), status, endReason: reason, at: nowMs });
  await tx.appendTimelineEntries(
    sessions.flatMap((s) =>
      s.taskIds.map((taskId) => ({
        taskId,
        entry: { id: newId('event'), type: 'session_ended' as const, timestamp: at, sessionId: s.id, data: { reason } },
      })),
    ),
  );
  await tx.appendEvents(
    sessions.map((s) => ({
      type: 'session:ended' as const,
      data: { ...s, status, endReason: reason, completedAt: at, updatedAt: at, version: s.version + 1 },
    })),
    nowMs,
  );
}

/**
 * Deletes `sessions` in bulk inside `tx` with the cascade of a delete (DESIGN.md, guarantees 1
 * and 4): task links removed both ways with `session_ended` (reason `reason`) on each task's
 * timeline, then `session:deleted`. `nowMs` is in milliseconds since the epoch.
 */
export async function deleteSessionsInTx(tx: StoreTx, sessions: Session[], reason: string, nowMs: number): Promise<void> {
  if (sessions.length === 0) return;
  const at = new Date(nowMs).toISOString();
  await tx.appendTimelineEntries(
    sessions.flatMap((s) =>
      s.taskIds.map((taskId) => ({
        taskId,
        entry: { id: newId('event'), type: 'session_ended' as const, timestamp: at, sessionId: s.id, data: { reason } },
      })),
    ),
  );
  await tx.deleteSessions(sessions.map((s) => s.id));
  const events: NewEvent[] = [];
  for (const s of sessions) {
    for (const taskId of s.taskIds) {
      events.push(
        { type: 'session:task_removed', data: { sessionId: s.id, taskId } },
        { type: 'task:session_removed', data: { taskId, sessionId: s.id } },
      );
    }
    events.push({ type: 'session:deleted', data: { id: s.id, projectId: s.projectId, taskIds: s.taskIds, reason } });
  }
  await tx.appendEvents(events, nowMs);
}
