import {
  LimitExceededError,
  type NewEvent,
  NotFoundError,
  type Session,
  type SessionEndedData,
  ValidationError,
} from '../../domain/index.js';
import type { StoreTx } from '../../store/index.js';
import type { CoreDeps } from '../deps.js';
import { requireProject } from '../projects/tasks.js';
import { endedData, linkEvents, type newSessionRow, requireTasks, toRow } from './session-records.js';

/**
 * Events a single-session write appends: `session:updated` carries the whole session,
 * `session:ended` what the end changed, `session:agent_state` the agent's move.
 */
export type SessionEventType = 'session:updated' | 'session:ended' | 'session:agent_state';

/** Options of {@link SessionWrites.mutate}. */
export interface MutateOptions {
  /**
   * Whether the write counts as activity: `true` (default) moves `lastActivityAt` to now and adds
   * one to `messageCount`; `'touch'` moves `lastActivityAt` only (the change counts its messages).
   */
  activity?: boolean | 'touch';
  /** The event appended; default `session:updated`. */
  eventType?: SessionEventType;
  /** When the change returns the session it was given, write nothing and answer it. */
  skipUnchanged?: boolean;
  /** Appended before the session's own event. */
  events?: NewEvent[];
}

/** Options of {@link SessionWrites.save}. */
export interface SaveOptions {
  /** Appended before the session's own event (link events, for instance). */
  events?: NewEvent[];
  /** Default `session:updated`. */
  eventType?: SessionEventType;
  /** The task links changed in this transaction: the answer's task ids are read from the store. */
  linksChanged?: boolean;
}

/**
 * The transactional writes every session change goes through: an insert checked against the
 * project, its tasks and the active-session limits (docs/design.md §Lifecycle guarantees (G5)); load, change and
 * version-fenced save; and the events they append.
 */
export class SessionWrites {
  /** @param limits `maxSessions`, `maxSessionsPerProject` (0: none) and `maxChildren` (0 or absent: none) */
  constructor(
    private readonly deps: CoreDeps,
    private readonly limits: { maxSessions: number; maxSessionsPerProject: number; maxChildren?: number },
  ) {}

  /**
   * Inserts a session row linked to `taskIds`, appending `session:created` and the link events.
   * With `limit: false` (an ended session imported), the active-session limits do not apply.
   * Callers end due sessions first (`SessionExpiry.expireDue`), so the limit never counts one
   * that timed out.
   * @throws ValidationError (unknown project, tasks or parent session); ConflictError on a duplicate id;
   *   LimitExceededError when an active-session limit is reached
   */
  async insert(row: ReturnType<typeof newSessionRow>, taskIds: string[], opts: { limit?: boolean } = {}): Promise<Session> {
    const now = this.deps.clock.now();
    return this.deps.store.transaction(async (tx) => {
      await requireProject(tx, row.projectId);
      await requireTasks(tx, row.projectId, taskIds, 'body.taskIds');
      const parent = row.parentSessionId === null ? null : await tx.getSession(row.parentSessionId);
      if (row.parentSessionId !== null && !parent)
        throw new ValidationError([{ path: 'body.parentSessionId', message: `session ${row.parentSessionId} does not exist` }]);
      if (opts.limit !== false) await this.requireRoom(tx, row.projectId, parent ?? null);
      await tx.insertSession(row);
      const events: NewEvent[] = [];
      const live = row.completedAt === null;
      for (const taskId of taskIds) events.push(...(await linkEvents(tx, taskId, row.id, now, live)));
      // Linked task ids come back in the store's link order; without links the row is the session.
      const session = taskIds.length > 0 ? await this.load(tx, row.id) : { ...row, taskIds: [] };
      await tx.appendEvents([{ type: 'session:created', data: session }, ...events], now);
      return session;
    });
  }

  /**
   * Loads, changes and writes one session in a transaction; bumps `version` and `updatedAt`, and
   * counts the write as activity unless told otherwise (see {@link MutateOptions}).
   * @throws NotFoundError; whatever `change` throws (nothing is written then)
   */
  async mutate(
    id: string,
    change: (s: Session, tx: StoreTx) => Session | Promise<Session>,
    opts: MutateOptions = {},
  ): Promise<Session> {
    const now = this.deps.clock.now();
    return this.deps.store.transaction(async (tx) => {
      const before = await this.load(tx, id);
      let after = await change(before, tx);
      if (opts.skipUnchanged && after === before) return before;
      const activity = opts.activity ?? true;
      if (activity !== false) {
        after = {
          ...after,
          lastActivityAt: new Date(now).toISOString(),
          messageCount: activity === true ? after.messageCount + 1 : after.messageCount,
        };
      }
      return this.save(tx, before, after, now, {
        ...(opts.eventType ? { eventType: opts.eventType } : {}),
        ...(opts.events ? { events: opts.events } : {}),
      });
    });
  }

  /**
   * Changes the task links of a session in a transaction: `change` writes the links and returns
   * their events; the session's activity moves to now and its answer carries the new task ids.
   * @throws NotFoundError; whatever `change` throws (nothing is written then)
   */
  async relink(
    sessionId: string,
    change: (session: Session, tx: StoreTx, nowMs: number) => Promise<NewEvent[]>,
  ): Promise<Session> {
    const now = this.deps.clock.now();
    return this.deps.store.transaction(async (tx) => {
      const session = await this.load(tx, sessionId);
      const events = await change(session, tx, now);
      const touched = { ...session, lastActivityAt: new Date(now).toISOString() };
      return this.save(tx, session, touched, now, { events, linksChanged: true });
    });
  }

  /**
   * Writes `after` over `before` (version fenced) with its event. The row is not read back — the
   * answer is what was written — except with `linksChanged`, when the task ids come from the store.
   * `now` is in milliseconds since the epoch.
   * @throws ConflictError when another writer changed the session since `before` was read
   */
  async save(tx: StoreTx, before: Session, after: Session, now: number, opts: SaveOptions = {}): Promise<Session> {
    const next: Session = { ...after, version: before.version + 1, updatedAt: new Date(now).toISOString() };
    await tx.updateSession(toRow(next), before.version);
    const saved: Session = opts.linksChanged ? await this.load(tx, before.id) : next;
    const eventType = opts.eventType ?? 'session:updated';
    const event: NewEvent =
      eventType === 'session:ended'
        ? {
            type: eventType,
            data: endedData({
              ...saved,
              status: saved.status as SessionEndedData['status'],
              endReason: saved.endReason as NonNullable<Session['endReason']>,
              completedAt: saved.completedAt as string,
              exitCode: saved.runtime.exitCode,
            }),
          }
        : eventType === 'session:agent_state'
          ? {
              type: eventType,
              data: {
                id: saved.id,
                from: before.agentState,
                to: saved.agentState ?? 'starting',
                at: saved.agentStateSince ?? saved.updatedAt,
                version: saved.version,
                waitingFor: saved.waitingFor,
                lastActivityAt: saved.lastActivityAt,
              },
            }
          : { type: eventType, data: saved };
    await tx.appendEvents([...(opts.events ?? []), event], now);
    return saved;
  }

  /**
   * One session, read inside `tx`.
   * @throws NotFoundError
   */
  async load(tx: StoreTx, id: string): Promise<Session> {
    const session = await tx.getSession(id);
    if (!session) throw new NotFoundError('session', id);
    return session;
  }

  /**
   * One session, read outside any transaction (as it was committed last).
   * @throws NotFoundError
   */
  async fetch(id: string): Promise<Session> {
    const session = await this.deps.store.getSession(id);
    if (!session) throw new NotFoundError('session', id);
    return session;
  }

  /**
   * Checks the limits a new live session counts against: every active session, the project's, and
   * its orchestrating parent's live children (`MAESTRO_MAX_CHILDREN`). Under one scope lock, so on
   * every node at once the counts stay true until this insert commits: concurrent creations
   * through any number of nodes never pass a limit together (docs/design.md §Nodes).
   * @throws LimitExceededError with the limit and the current count when no session may start
   */
  private async requireRoom(tx: StoreTx, projectId: string, parent: Session | null): Promise<void> {
    const { maxSessions, maxSessionsPerProject, maxChildren = 0 } = this.limits;
    await tx.lockScope('active sessions');
    const active = await tx.countActiveSessions();
    if (active >= maxSessions) throw new LimitExceededError('active sessions', maxSessions, active);
    if (maxSessionsPerProject > 0) {
      const inProject = await tx.countActiveSessions(projectId);
      if (inProject >= maxSessionsPerProject)
        throw new LimitExceededError('active sessions in project', maxSessionsPerProject, inProject, { projectId });
    }
    if (parent?.role === 'orchestrator' && maxChildren > 0) {
      const live = await tx.listSessions({ parentSessionId: parent.id, active: true, limit: maxChildren });
      if (live.length >= maxChildren)
        throw new LimitExceededError(
          `live sessions started by orchestrator ${parent.id} (MAESTRO_MAX_CHILDREN)`,
          maxChildren,
          live.length,
          { parentSessionId: parent.id },
        );
    }
  }
}
