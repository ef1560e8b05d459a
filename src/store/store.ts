import type {
  MaestroEvent,
  NewEvent,
  Project,
  Session,
  SessionFilter,
  Statistics,
  SummarySource,
  Task,
  TaskStatus,
  TimelineEntry,
} from '../domain/index.js';
import type { Engine } from './engine.js';

/** Filter of {@link StoreReads.listTasks}. */
export interface TaskFilter {
  projectId?: string | undefined;
  status?: TaskStatus | undefined;
  /** Titled exactly this. */
  name?: string | undefined;
  /** Subtasks of this task. */
  parentId?: string | undefined;
  /** At most this many tasks, highest priority first, then newest first. */
  limit: number;
  /** Read their timelines too (default true); lists of summaries do without. */
  withTimeline?: boolean | undefined;
}

/** A session summary as read, with the host its unreachable check needs (see `sessionSummary`). */
export type SummaryRow = SummarySource & { runtime: { host: string | null } };

/** A task row without the derived `sessionIds` and `timeline`. */
export type TaskRow = Omit<Task, 'sessionIds' | 'timeline'>;

/** A session as written: everything but the derived `taskIds`. */
export type SessionRow = Omit<Session, 'taskIds'>;

/** A live session's runtime, as the reconciler needs it. */
export interface ActiveRuntime {
  id: string;
  tmuxSession: string;
  /** Milliseconds since the epoch. */
  lastActivityAt: number;
  /** Whether it is paused (its processes stopped). */
  paused: boolean;
}

/** Aggregates over all sessions. Times in milliseconds since the epoch. */
export interface SessionStats {
  total: number;
  byStatus: Record<string, number>;
  active: number;
  /** Live sessions by agent state (`working`, `waiting`…); sessions with no agent are not counted. */
  byAgentState: Record<string, number>;
  /** Creation time of the oldest / newest active session; null when none is active. */
  oldestActiveCreatedAt: number | null;
  newestActiveCreatedAt: number | null;
  /** Mean creation time of active sessions; null when none is active. */
  meanActiveCreatedAt: number | null;
}

/** What bulk passes need of a session: cheap to read for thousands at a time. */
export interface SessionRef {
  id: string;
  projectId: string;
  taskIds: string[];
  status: Session['status'];
  runtimeKind: Session['runtime']['kind'];
  exitCode: number | null;
  /** The git branch it worked on; `maestro/<id>` marks a worktree Maestro made for it. */
  branch: string | null;
  version: number;
}

/** A bulk ending: every listed session gets the same terminal status and reason. */
export interface BulkEnd {
  ids: string[];
  status: 'completed' | 'failed';
  endReason: string;
  /** When they ended, in ms since the epoch. */
  at: number;
}

// The contract is cut by area (projects, tasks, sessions, events, nodes), each with its reads and
// its writes: `src/store/tx/<area>.ts` implements one area, and the store and its transactions are
// assembled from those parts. Only a transaction handle ({@link StoreTx}) carries the writes.

/** Projects and the project queue. */
export interface ProjectReads {
  getProject(id: string): Promise<Project | undefined>;
  /** Projects in any of `statuses`, highest priority first, then queued longest. */
  listProjectsByStatus(statuses: readonly Project['status'][]): Promise<Project[]>;
  /** Running projects the scheduler started. */
  countScheduledRunning(): Promise<number>;
  /** All projects, highest priority first, then oldest first. */
  listProjects(): Promise<Project[]>;
}

/** Writes of {@link ProjectReads}' area. */
export interface ProjectWrites {
  /** @throws ConflictError when the id exists */
  insertProject(project: Project): Promise<void>;
  /** Writes a project whole. */
  updateProject(project: Project): Promise<void>;
  /** Deletes a project row; its tasks and sessions must be gone first (they reference it). */
  deleteProject(id: string): Promise<void>;
  /**
   * Atomically takes the next queued project — highest priority, then queued longest — and marks
   * it running, started by the scheduler at `nowMs` (ms since the epoch). One statement: two
   * schedulers never take the same project. Undefined when the queue is empty.
   */
  dequeueProject(nowMs: number): Promise<Project | undefined>;
}

/** Tasks and their timelines. */
export interface TaskReads {
  /** A task with its `sessionIds` (from the link table) and its `timeline`, oldest entry first. */
  getTask(id: string): Promise<Task | undefined>;
  /** Tasks matching `filter`, newest first. */
  listTasks(filter: TaskFilter): Promise<Task[]>;
}

/** Writes of {@link TaskReads}' area. */
export interface TaskWrites {
  /** @throws ConflictError when the id exists */
  insertTask(task: TaskRow): Promise<void>;
  updateTask(task: TaskRow): Promise<void>;
  /** Deletes a task with its session links and its timeline. */
  deleteTask(id: string): Promise<void>;
  appendTimeline(taskId: string, entry: TimelineEntry): Promise<void>;
}

/** Sessions and their task links. */
export interface SessionReads {
  /** A session with its `taskIds` (from the link table). */
  getSession(id: string): Promise<Session | undefined>;
  /** Sessions matching `filter`, newest first; `recent` overrides `limit`. */
  listSessions(filter: SessionFilter): Promise<Session[]>;
  /**
   * The same page as {@link listSessions}, as summaries read from the few columns they need (no
   * output, configuration or git context); `runtime.host` is kept for the unreachable check.
   */
  listSessionSummaries(filter: SessionFilter): Promise<SummaryRow[]>;
  /** How many sessions match `filter`, whatever its page and limit. */
  countSessions(filter: SessionFilter): Promise<number>;
  /** Non-terminal tmux-backed sessions on `host`, oldest first; `lastActivityAt` in ms since the epoch. */
  listActiveRuntimes(host: string): Promise<ActiveRuntime[]>;
  /**
   * The least recent `lastActivityAt` among non-terminal sessions that are not paused (with
   * `paused`: among paused ones), in ms since the epoch (none: `undefined`); an index seek.
   */
  oldestActivity(paused?: boolean): Promise<number | undefined>;
  /**
   * Non-terminal sessions inactive for their deadline, least recently active first, at most `limit`:
   * last active before `cutoffMs`, or, when paused (a stopped process is not idle by choice), before
   * `pausedCutoffMs` (default -1: never). Times in ms since the epoch.
   */
  listInactiveSessions(cutoffMs: number, limit: number, pausedCutoffMs?: number): Promise<SessionRef[]>;
  /** Ended sessions whose `completedAt` is at or before `cutoffMs`, oldest first, at most `limit`. */
  listEndedBy(cutoffMs: number, limit: number): Promise<SessionRef[]>;
  /** How many sessions {@link listInactiveSessions} would list without a limit. */
  countInactiveSessions(cutoffMs: number, pausedCutoffMs?: number): Promise<number>;
  /** How many sessions ended at or before `cutoffMs`. */
  countEndedBy(cutoffMs: number): Promise<number>;
  /** Counts by status and the creation times of active sessions (ms since the epoch), for health and metrics. */
  sessionStats(): Promise<SessionStats>;
  /** Every session's project and token usage (`statistics.tokens`, `model`, `costUsd`), for the usage summary. */
  listUsage(): Promise<{ projectId: string; statistics: Statistics }[]>;
  /** Non-terminal sessions, in all or in one project. */
  countActiveSessions(projectId?: string): Promise<number>;
}

/** Writes of {@link SessionReads}' area. */
export interface SessionWrites {
  /** @throws ConflictError when the id exists */
  insertSession(session: SessionRow): Promise<void>;
  /**
   * Writes `session` whole when the stored version equals `expectedVersion` (optimistic fencing).
   * @throws ConflictError when the stored version differs (another writer got there first)
   */
  updateSession(session: SessionRow, expectedVersion: number): Promise<void>;
  /**
   * Ends many non-terminal sessions in one statement per chunk (version bumped, `active` cleared).
   * Sessions already ended are left alone. Returns how many were ended.
   */
  endSessions(end: BulkEnd): Promise<number>;
  /** Deletes sessions (one or many) and their task links. */
  deleteSessions(ids: string[]): Promise<void>;
  /**
   * Appends `session_ended` (with `data`) at `atMs` (ms since the epoch) to the timeline of every
   * task linked to each of `sessionIds`, reading the links itself.
   */
  appendSessionEnded(sessionIds: string[], atMs: number, data: Record<string, unknown>): Promise<void>;
  /** Links a task and a session; returns false when they were linked already. `at` is in ms since the epoch. */
  linkTaskSession(taskId: string, sessionId: string, at: number): Promise<boolean>;
  /** Unlinks a task and a session; returns false when they were not linked. */
  unlinkTaskSession(taskId: string, sessionId: string): Promise<boolean>;
}

/** The event log. */
export interface EventReads {
  /** Events with `seq > afterSeq`, in sequence order, at most `limit`. */
  listEvents(afterSeq: number, limit: number): Promise<MaestroEvent[]>;
  /** The newest event's sequence number, 0 when the log is empty. */
  lastSeq(): Promise<number>;
  /** The oldest retained event's sequence number, or `null` when the log is empty. */
  firstSeq(): Promise<number | null>;
}

/** Writes of {@link EventReads}' area. */
export interface EventWrites {
  /**
   * Appends events to the log; they get increasing sequence numbers and are delivered to
   * {@link Store.onEvents} listeners once the transaction commits. `at` is in ms since the epoch.
   * Returns them; on PostgreSQL their place in the log (`seq`) is given after commit by the
   * sequencing step (docs/design.md §Nodes), so they carry `seq` 0 here.
   */
  appendEvents(events: NewEvent[], at: number): Promise<MaestroEvent[]>;
  /**
   * Deletes the events with `seq <= throughSeq` (the log's retention); a client resuming from an
   * earlier cursor is told to resync. Returns how many went.
   */
  pruneEvents(throughSeq: number): Promise<number>;
}

/** The database itself: its settings (`meta` table), its id and the nodes serving it. */
export interface NodeReads {
  /** A value of the database's own settings (`meta` table), or undefined. */
  getMeta(key: string): Promise<string | undefined>;
  /** This database's id, made once when it was created; tags the runtime sessions it owns. */
  instanceId(): Promise<string>;
  /** Every node that ever heartbeated, with its last heartbeat in ms since the epoch and where it answers (null: unknown). */
  listNodes(): Promise<{ host: string; heartbeatAt: number; url: string | null }[]>;
}

/** Writes of {@link NodeReads}' area. */
export interface NodeWrites {
  /** Sets a value of the database's own settings. */
  setMeta(key: string, value: string): Promise<void>;
  /** Records that node `host` is alive at `nowMs` (ms since the epoch), and where it answers when `url` is given. */
  heartbeat(host: string, nowMs: number, url?: string): Promise<void>;
}

/**
 * Coordination between the nodes sharing a store, inside one transaction (docs/design.md §Nodes).
 * PostgreSQL: transaction-scoped locks; SQLite has one writer, so both are no-ops there.
 */
export interface CoordinationWrites {
  /**
   * Serialises this transaction with every other one that locks the same `scope`, on any node,
   * until it commits or rolls back: what it counted under the lock stays true until its own insert
   * commits (the session limits). Waits at most the store's lock timeout.
   * @throws Error (lock timeout) when another transaction holds the scope longer than that
   */
  lockScope(scope: string): Promise<void>;
  /**
   * Fences a leader-only write: fails unless `token` is still the leader lease's fencing token, and
   * holds the lease row until commit, so no new leader's takeover commits before this transaction.
   * @throws StaleLeaseError when another node took the lease over since `token` was issued
   */
  requireLease(token: number): Promise<void>;
}

/** Reads available inside and outside a transaction. Every method returns domain objects. */
export interface StoreReads extends ProjectReads, TaskReads, SessionReads, EventReads, NodeReads {}

/** Reads and writes inside one transaction: the only handle that writes. */
export interface StoreTx
  extends StoreReads,
    ProjectWrites,
    TaskWrites,
    SessionWrites,
    EventWrites,
    NodeWrites,
    CoordinationWrites {}

/** A held leader lease, as {@link Leadership.tryLead} returns it. */
export interface Lease {
  /** The fencing token: raised at every change of holder; leader-only writes carry it ({@link CoordinationWrites.requireLease}). */
  token: number;
  /**
   * Until when this node may act as the leader, in milliseconds on `performance.now()`'s clock:
   * the lease's length counted from before the request that took or renewed it, less a margin, so
   * the node stops before any other can take over.
   */
  validUntil: number;
}

/**
 * Exclusive, time-bounded leadership among the nodes sharing a store: the sweeper, the scheduler
 * and the lost-node check run on the leader only (docs/design.md §Leader election).
 */
export interface Leadership {
  /**
   * Takes the lease, or renews it when this node holds it. Never throws: "could not check" is
   * `null`, as is a lease held by another node.
   */
  tryLead(): Promise<Lease | null>;
  /** Gives the lease up (it expires at once for the others). */
  release(): Promise<void>;
}

/** Receives committed events, in sequence order, each batch once. */
export type EventListener = (events: MaestroEvent[]) => void;

/**
 * The storage contract every engine implements (SQLite embedded, PostgreSQL shared).
 * Reads outside {@link Store.transaction} see committed data only; there are no writes outside
 * it — every write goes through a {@link StoreTx}, so it commits with its events or not at all.
 */
export interface Store extends StoreReads {
  /** Which engine this store runs on (health reports it). */
  readonly engine: Engine;
  /**
   * Runs `fn` in one transaction: every row it writes and every event it appends commit together
   * or not at all. Committed events are delivered to listeners in sequence order before the
   * returned promise resolves. Inside `fn`, read through `tx` only: on SQLite the transaction
   * holds the only connection, so the store's own reads would wait for it forever.
   * @throws whatever `fn` throws, after rolling back
   */
  transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T>;
  /** This node's claim on leadership (SQLite: always the leader — one machine). */
  readonly leadership: Leadership;
  /** Subscribes to committed events; returns the unsubscribe function. */
  onEvents(listener: EventListener): () => void;
  /** Closes the database; further calls fail. */
  close(): Promise<void>;
}
