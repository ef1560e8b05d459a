import {
  agentFinished,
  type EndReason,
  isTerminal,
  LIMITS,
  type NewEvent,
  newId,
  type StatusSetter,
  type Task,
  type TaskStatus,
  withStatus,
} from '../../domain/index.js';
import type { StoreTx } from '../../store/index.js';

/**
 * Moves `task` to `to` inside `tx`: writes the status with its times (see `withStatus`), appends
 * `status_changed {from, to, by}` to its timeline (with the session that caused it, if any) and
 * returns the `task:updated` event to append. `nowMs` is in milliseconds since the epoch.
 */
export async function moveTask(
  tx: StoreTx,
  task: Task,
  to: TaskStatus,
  by: StatusSetter,
  nowMs: number,
  sessionId?: string,
): Promise<NewEvent> {
  const at = new Date(nowMs).toISOString();
  const { sessionIds: _s, timeline: _t, ...row } = task;
  await tx.updateTask({ ...withStatus(row, to, by, at), updatedAt: at });
  await tx.appendTimeline(task.id, {
    id: newId('event'),
    type: 'status_changed',
    timestamp: at,
    ...(sessionId ? { sessionId } : {}),
    data: { from: task.status, to, by },
  });
  return { type: 'task:updated', data: (await tx.getTask(task.id)) as Task };
}

/** Whether Maestro may move `task` by itself: its project lets it, and no person set its status since. */
async function followsSessions(tx: StoreTx, task: Task): Promise<boolean> {
  if (task.statusBy === 'person') return false;
  return (await tx.getProject(task.projectId))?.autoTaskStatus ?? false;
}

/** Statuses a session starting moves to `in_progress`: work begins, or begins again after a review. */
const STARTABLE: readonly TaskStatus[] = ['todo', 'in_review'];

/**
 * A live session was linked to `taskId` (created with it, or linked later): a `todo` or `in_review`
 * task goes `in_progress` (docs/design.md §Task status). Returns the events to append.
 */
export async function followSessionStart(tx: StoreTx, taskId: string, sessionId: string, nowMs: number): Promise<NewEvent[]> {
  const task = await tx.getTask(taskId);
  if (!task || !STARTABLE.includes(task.status) || !(await followsSessions(tx, task))) return [];
  return [await moveTask(tx, task, 'in_progress', 'maestro', nowMs, sessionId)];
}

/** What {@link followSessionEnd} needs of the session that just ended. */
export interface EndedSession {
  id: string;
  taskIds: string[];
  endReason: EndReason;
  exitCode: number | null;
}

/**
 * `session` just ended (in `tx`, before or after its row is written): each of its `in_progress`
 * tasks whose sessions have now all ended with the agent done (`agentFinished`) goes `in_review`,
 * until a person marks it `done`. A task with more than {@link LIMITS.listItems} sessions is
 * judged by its newest ones. Returns the events to append.
 */
export async function followSessionEnd(tx: StoreTx, session: EndedSession, nowMs: number): Promise<NewEvent[]> {
  if (!agentFinished(session.endReason, session.exitCode)) return [];
  const events: NewEvent[] = [];
  for (const taskId of session.taskIds) {
    const task = await tx.getTask(taskId);
    if (task?.status !== 'in_progress' || !(await followsSessions(tx, task))) continue;
    const sessions = await tx.listSessions({ taskId, limit: LIMITS.listItems });
    const others = sessions.filter((s) => s.id !== session.id);
    if (others.some((s) => !isTerminal(s.status) || !agentFinished(s.endReason, s.runtime.exitCode))) continue;
    events.push(await moveTask(tx, task, 'in_review', 'maestro', nowMs, session.id));
  }
  return events;
}
