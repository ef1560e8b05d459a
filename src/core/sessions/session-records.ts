import {
  type Configuration,
  ConflictError,
  type CreateSessionData,
  DEFAULT_CONFIGURATION,
  dropTrailingBlank,
  EMPTY_GIT_CONTEXT,
  EMPTY_STATISTICS,
  type GitContext,
  isTerminal,
  type Launch,
  LIMITS,
  type NewEvent,
  newId,
  type Session,
  type SessionEndedData,
  type SessionRuntime,
  type Statistics,
  ValidationError,
} from '../../domain/index.js';
import type { SessionRow, StoreTx } from '../../store/index.js';
import { followSessionStart } from '../projects/task-status.js';

/** Fields a new session starts with beyond what the client gave. */
export interface NewSessionExtras {
  runtime?: SessionRuntime;
  gitContext?: GitContext;
  launch?: Launch;
}

/** Builds the row of a new session at `nowMs` (milliseconds since the epoch). */
export function newSessionRow(data: CreateSessionData, nowMs: number, extras: NewSessionExtras = {}): SessionRow {
  const at = new Date(nowMs).toISOString();
  const id = data.id ?? newId('session');
  return {
    id,
    projectId: data.projectId,
    parentSessionId: data.parentSessionId ?? null,
    role: data.role ?? 'worker',
    name: data.name ?? id,
    featureRequest: data.featureRequest,
    status: 'initializing',
    phase: data.phase,
    gitContext: extras.gitContext ?? mergeDefined(EMPTY_GIT_CONTEXT, data.gitContext),
    prdReference: data.prdReference,
    statistics: mergeDefined(EMPTY_STATISTICS, data.statistics),
    configuration: mergeDefined(DEFAULT_CONFIGURATION, data.configuration),
    runtime: extras.runtime ?? { kind: 'none', host: null, tmuxSession: null, pid: null, exitCode: null },
    launch: extras.launch ?? null,
    output: [],
    createdAt: at,
    updatedAt: at,
    lastActivityAt: at,
    messageCount: 0,
    lastActivityDetail: null,
    completedAt: null,
    endReason: null,
    endNote: null,
    // Spawned: its agent is starting; a record without a runtime has no agent to watch.
    agentState: extras.runtime?.kind === 'tmux' ? 'starting' : null,
    agentStateSince: extras.runtime?.kind === 'tmux' ? at : null,
    waitingFor: null,
    version: 1,
  };
}

/** `base` with the given fields of `patch` merged in, field by field (nested objects are never replaced whole). */
export function mergeDefined<T extends Statistics | Configuration | GitContext>(base: T, patch: Partial<T> | undefined): T {
  if (!patch) return base;
  const merged = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (value !== undefined) (merged as Record<string, unknown>)[key] = value;
  }
  return merged;
}

/** The session without its derived `taskIds`, ready to write. */
export function toRow({ taskIds: _taskIds, ...row }: Session): SessionRow {
  return row;
}

/** Keeps the last {@link LIMITS.outputLines} lines of output, dropping trailing blank lines. */
export function trimOutput(lines: string[]): string[] {
  return dropTrailingBlank(lines).slice(-LIMITS.outputLines);
}

/**
 * Checks that every task exists and belongs to the session's project.
 * @param path field path used in errors, e.g. `body.taskIds`
 * @throws ValidationError naming each bad task id
 */
export async function requireTasks(tx: StoreTx, projectId: string, taskIds: string[], path: string): Promise<void> {
  const issues = [];
  for (const [i, taskId] of taskIds.entries()) {
    const task = await tx.getTask(taskId);
    if (!task) issues.push({ path: `${path}.${i}`, message: `task ${taskId} does not exist` });
    else if (task.projectId !== projectId)
      issues.push({ path: `${path}.${i}`, message: `task ${taskId} belongs to project ${task.projectId}, not ${projectId}` });
  }
  if (issues.length > 0) throw new ValidationError(issues);
}

/**
 * Links a task and a session, appends `session_started` to the task's timeline and returns the
 * events to append (none when they were linked already). A `live` session moves the task's status
 * when it follows its sessions (`followSessionStart`). `nowMs` is in milliseconds since the epoch.
 */
export async function linkEvents(
  tx: StoreTx,
  taskId: string,
  sessionId: string,
  nowMs: number,
  live: boolean,
): Promise<NewEvent[]> {
  if (!(await tx.linkTaskSession(taskId, sessionId, nowMs))) return [];
  await tx.appendTimeline(taskId, {
    id: newId('event'),
    type: 'session_started',
    timestamp: new Date(nowMs).toISOString(),
    sessionId,
  });
  return [
    { type: 'session:task_added', data: { sessionId, taskId } },
    { type: 'task:session_added', data: { taskId, sessionId } },
    ...(live ? await followSessionStart(tx, taskId, sessionId, nowMs) : []),
  ];
}

/**
 * Unlinks a task and a session, appends `session_ended` (with `reason`) to the task's timeline and
 * returns the events to append (none when they were not linked). `nowMs` is in ms since the epoch.
 */
export async function unlinkEvents(
  tx: StoreTx,
  taskId: string,
  sessionId: string,
  nowMs: number,
  reason: string,
): Promise<NewEvent[]> {
  if (!(await tx.unlinkTaskSession(taskId, sessionId))) return [];
  await tx.appendTimeline(taskId, {
    id: newId('event'),
    type: 'session_ended',
    timestamp: new Date(nowMs).toISOString(),
    sessionId,
    data: { reason },
  });
  return [
    { type: 'session:task_removed', data: { sessionId, taskId } },
    { type: 'task:session_removed', data: { taskId, sessionId } },
  ];
}

/**
 * The session, when it has not ended.
 * @throws ConflictError naming its end reason when it has ended (activity is no longer recorded)
 */
export function requireLive(s: Session): Session {
  if (!isTerminal(s.status)) return s;
  throw new ConflictError(`session ${s.id} has ended (${s.endReason}); activity is no longer recorded`, {
    sessionId: s.id,
    status: s.status,
    endReason: s.endReason,
  });
}

/**
 * The session, when `expected` is absent or equals its version (optimistic concurrency).
 * @throws ConflictError with both versions when another writer changed it first
 */
export function requireVersion(s: Session, expected: number | undefined): Session {
  if (expected === undefined || expected === s.version) return s;
  throw new ConflictError(`session ${s.id} is at version ${s.version}, not ${expected}: it was changed meanwhile`, {
    sessionId: s.id,
    expectedVersion: expected,
    version: s.version,
  });
}

/** The `session:ended` event data of a session that just ended: the fields a list shows, not its output. */
export function endedData(s: SessionEndedData & Record<string, unknown>): Record<string, unknown> & SessionEndedData {
  return {
    id: s.id,
    projectId: s.projectId,
    taskIds: s.taskIds,
    status: s.status,
    endReason: s.endReason,
    endNote: s.endNote ?? null,
    exitCode: s.exitCode,
    completedAt: s.completedAt,
    updatedAt: s.updatedAt,
    version: s.version,
  };
}
