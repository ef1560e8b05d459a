import {
  type EndReason,
  end as endStatus,
  endStatusFor,
  isTerminal,
  LIMITS,
  type NewEvent,
  type Session,
  type SessionEndedData,
  type SessionStatus,
  transition as transitionStatus,
} from '../../domain/index.js';
import type { SessionRef, StoreTx } from '../../store/index.js';
import type { CoreDeps } from '../deps.js';
import { followSessionEnd } from '../projects/task-status.js';
import type { GitInspector, Runtime } from '../runtime.js';
import { requireVersion, trimOutput } from './session-records.js';
import type { SessionWrites } from './session-writes.js';
import { releaseWorktree, worktreeOf } from './worktrees.js';

/** How a session should end. */
export interface EndOptions {
  exitCode?: number | null | undefined;
  /** Output to keep; when absent, the runtime's last lines are captured before it is killed. */
  output?: string[] | undefined;
  /** End only if the session is still at this version (checked in the ending write transaction). */
  version?: number | undefined;
  /** End as this workflow move (`completed` or `failed`), allowed from the status the write transaction reads. */
  transitionTo?: SessionStatus | undefined;
  /** Free text kept with the end (`endNote`) and on its tasks' timelines. */
  note?: string | undefined;
}

/** What the parts that end sessions one at a time (timeouts of tmux sessions, lost nodes, spawn failures) depend on. */
export interface SessionEnder {
  /** See {@link SessionLifecycle.end}. */
  end(id: string, reason: EndReason, options?: EndOptions): Promise<Session>;
}

/**
 * What happens when a session ends, is deleted or is purged, in one place (docs/design.md §Ending a
 * session, §Lifecycle guarantees (G1, G4, G7)): for one session, {@link SessionLifecycle.end} and
 * {@link SessionLifecycle.delete}; in bulk inside a caller's transaction, {@link endSessionsInTx},
 * {@link deleteSessionInTx} and {@link purgeSessionsInTx}. Each writes the `session_ended` timeline
 * entry of every linked task and the events; the runtime is killed and the worktree released after
 * the commit ({@link SessionLifecycle.releaseRuntime}).
 */
export class SessionLifecycle implements SessionEnder {
  /** @param options `retentionSecs`: 0 deletes a session as soon as it ends (reason `purged`) */
  constructor(
    private readonly deps: CoreDeps & { runtime: Runtime; git: GitInspector },
    private readonly writes: SessionWrites,
    private readonly options: { retentionSecs: number },
  ) {}

  /**
   * Ends a non-terminal session: records `endReason`, `exitCode`, `completedAt` and its last output
   * lines (captured from its runtime unless given), appends `session_ended` to its tasks' timelines
   * and `session:ended`, then kills its runtime (the reconciler retries a kill that fails). The
   * version and a workflow move asked for are checked in the ending write transaction. Ending is
   * not activity: `lastActivityAt` and `messageCount` stay (docs/design.md §Lifecycle guarantees (G2)).
   * @throws NotFoundError; InvalidTransitionError when it already ended or the move is not allowed;
   *   ConflictError when `options.version` is stale
   */
  async end(id: string, reason: EndReason, options: EndOptions = {}): Promise<Session> {
    const current = await this.writes.fetch(id);
    endStatus(id, current.status, reason, options.exitCode); // throws when it already ended
    // Only this node can capture or kill its own tmux sessions; another node's (its owner down, so
    // the request was not forwarded) ends without them.
    const tmuxSession = this.ownTmuxSession(current);
    const output = options.output ?? (tmuxSession ? await this.captureQuietly(tmuxSession) : current.output);
    const now = this.deps.clock.now();
    const session = await this.writes.mutate(
      id,
      async (s, tx) => {
        // Checked again here, in the write transaction: the reads above may be stale by now, and a
        // concurrent writer must not make a move the state table forbids (docs/design.md §Session state machine).
        requireVersion(s, options.version);
        if (options.transitionTo) transitionStatus(id, s.status, options.transitionTo);
        const exitCode = options.exitCode ?? s.runtime.exitCode;
        const note = options.note || null;
        await tx.appendSessionEnded([s.id], now, { reason, ...(note ? { note } : {}) });
        const moved = await followSessionEnd(tx, { id, taskIds: s.taskIds, endReason: reason, exitCode }, now);
        await tx.appendEvents(moved, now); // nothing when no task moved
        return {
          ...s,
          status: endStatus(id, s.status, reason, exitCode),
          endReason: reason,
          endNote: note,
          completedAt: new Date(now).toISOString(),
          runtime: { ...s.runtime, exitCode },
          output: trimOutput(output.length > 0 ? output : s.output),
          agentState: s.agentState === null ? null : 'exited',
          agentStateSince: s.agentState === null ? null : new Date(now).toISOString(),
          waitingFor: null,
        };
      },
      { activity: false, eventType: 'session:ended' },
    );
    this.deps.log.info({ sessionId: id, reason, exitCode: session.runtime.exitCode, status: session.status }, 'session ended');
    if (tmuxSession) await this.killQuietly(id, tmuxSession);
    if (this.options.retentionSecs === 0) await this.delete(id, 'purged');
    return session;
  }

  /**
   * Deletes a session with the full cascade (docs/design.md §Lifecycle guarantees (G1)): in one
   * transaction ({@link deleteSessionInTx}) the row and its task links go, each task's timeline gets
   * `session_ended` (reason `reason`: `deleted`, or `purged` at retention 0) and `session:deleted` is
   * appended; then its runtime is killed and its worktree released.
   * @throws NotFoundError
   */
  async delete(id: string, reason: string): Promise<void> {
    const now = this.deps.clock.now();
    const session = await this.deps.store.transaction(async (tx) => {
      const s = await this.writes.load(tx, id);
      await deleteSessionInTx(tx, s, reason, now);
      return s;
    });
    this.deps.log.info({ sessionId: id, reason, tasks: session.taskIds.length }, 'session deleted');
    await this.releaseRuntime(session);
  }

  /**
   * After a session's rows are deleted: kills its tmux session when it was live (the reconciler
   * retries a failed kill), removes its transcript, and removes its worktree when clean and merged
   * (else keeps it, logged). Returns whether a live runtime was killed.
   */
  async releaseRuntime(session: Session): Promise<boolean> {
    // Another node's runtime, transcript and worktree are that node's to release (its reconciler
    // kills what it no longer owns when it comes back).
    if (this.runsElsewhere(session)) return false;
    const name = this.ownTmuxSession(session);
    const live = name !== null && !isTerminal(session.status);
    if (live) await this.killQuietly(session.id, name);
    if (name !== null)
      await this.deps.runtime.removeTranscript(name).catch((err: unknown) => {
        this.deps.log.warn({ sessionId: session.id, err }, 'could not remove the transcript');
      });
    const worktree = worktreeOf(session);
    if (worktree) await releaseWorktree(this.deps.git, this.deps.log, session.id, worktree);
    return live;
  }

  /**
   * Whether another node runs the session's runtime (only that node can capture, kill or clean it
   * up): its recorded host is another's. Only a spawned session has a host; one recorded before
   * nodes had names (host null) is this node's.
   */
  private runsElsewhere(session: Session): boolean {
    const { host } = session.runtime;
    return host !== null && host !== this.deps.runtime.host;
  }

  /** The session's tmux session when this node runs it, else null (a session with no runtime has none). */
  private ownTmuxSession(session: Session): string | null {
    return this.runsElsewhere(session) ? null : session.runtime.tmuxSession;
  }

  private async captureQuietly(tmuxSession: string): Promise<string[]> {
    try {
      return await this.deps.runtime.capture(tmuxSession, LIMITS.outputLines);
    } catch (err) {
      this.deps.log.warn({ tmuxSession, err }, 'could not capture output before ending');
      return [];
    }
  }

  private async killQuietly(sessionId: string, tmuxSession: string): Promise<void> {
    try {
      await this.deps.runtime.kill(tmuxSession);
      this.deps.log.info({ sessionId, tmuxSession }, 'runtime killed');
    } catch (err) {
      this.deps.log.warn({ sessionId, tmuxSession, err }, 'runtime kill failed; the reconciler will retry');
    }
  }
}

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
 * go both ways, each task's timeline gets `session_ended` (reason `reason`) when it was still live,
 * the sessions it started lose their `parentSessionId`, and the events
 * `session:task_removed` / `task:session_removed` per link and `session:deleted` are appended.
 * `nowMs` is in milliseconds since the epoch. The caller releases the runtime after the commit.
 */
export async function deleteSessionInTx(
  tx: StoreTx,
  s: Pick<SessionRef, 'id' | 'projectId' | 'taskIds' | 'status'>,
  reason: string,
  nowMs: number,
): Promise<void> {
  // An ended session's tasks already have its end on their timelines: each end shows once.
  if (!isTerminal(s.status)) await tx.appendSessionEnded([s.id], nowMs, { reason });
  await tx.deleteSessions([s.id]);
  const events: NewEvent[] = s.taskIds.flatMap((taskId) => [
    { type: 'session:task_removed' as const, data: { sessionId: s.id, taskId } },
    { type: 'task:session_removed' as const, data: { taskId, sessionId: s.id } },
  ]);
  events.push({ type: 'session:deleted', data: { id: s.id, projectId: s.projectId, taskIds: s.taskIds, reason } });
  await tx.appendEvents(events, nowMs);
}

/**
 * Purges ended `sessions` in bulk inside `tx` with the cascade of a delete (docs/design.md
 * §Lifecycle guarantees (G4)): links gone both ways, children orphaned, and one `sessions:purged`
 * event for the batch. Their tasks' timelines keep the end they already show (nothing is added).
 * `nowMs` is in milliseconds since the epoch.
 */
export async function purgeSessionsInTx(
  tx: StoreTx,
  sessions: Pick<SessionRef, 'id' | 'projectId' | 'taskIds'>[],
  nowMs: number,
): Promise<void> {
  if (sessions.length === 0) return;
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
