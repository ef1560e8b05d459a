import {
  ConflictError,
  type CreateSessionInput,
  createSessionInput,
  decodeCursor,
  EMPTY_STATISTICS,
  type EndReason,
  encodeCursor,
  importSessionInput,
  isTerminal,
  type ListSessionsQuery,
  listSessionsQuery,
  type NeedsInputInput,
  NotFoundError,
  needsInputInput,
  parseInput,
  type Session,
  type SessionFilter,
  type SessionList,
  type SpawnInput,
  type Statistics,
  sessionIdSchema,
  sessionSummary,
  type TouchInput,
  type TransitionInput,
  taskIdSchema,
  touchInput,
  transitionInput,
  transition as transitionStatus,
  type UpdateSessionInput,
  type UsageSummary,
  updateSessionInput,
  ValidationError,
} from '../../domain/index.js';
import type { SummaryRow } from '../../store/index.js';
import { resumeCommand } from '../agents/index.js';
import type { CoreDeps } from '../deps.js';
import type { GitInspector, Runtime } from '../runtime.js';
import { AgentReports } from './agent-reports.js';
import { AgentStates } from './agent-states.js';
import { SessionDiffs } from './session-diff.js';
import { SessionExpiry } from './session-expiry.js';
import { SessionFinisher } from './session-finish.js';
import { type EndOptions, SessionLifecycle } from './session-lifecycle.js';
import { SessionNodes } from './session-nodes.js';
import {
  linkEvents,
  mergeDefined,
  newSessionRow,
  requireLive,
  requireTasks,
  requireVersion,
  unlinkEvents,
} from './session-records.js';
import { SessionSpawner } from './session-spawn.js';
import { SessionTerminal } from './session-terminal.js';
import { SessionWaits } from './session-waits.js';
import { SessionWrites } from './session-writes.js';
import { TouchLog } from './touch-log.js';
import { Transcripts } from './transcripts.js';

/** Options of the session service. */
export interface SessionServiceOptions {
  /** At most this many non-terminal sessions (docs/design.md §Lifecycle guarantees (G5)). */
  maxSessions: number;
  /** At most this many non-terminal sessions per project; 0 means no per-project limit. */
  maxSessionsPerProject: number;
  /** At most this many live sessions started under one orchestrating session (`MAESTRO_MAX_CHILDREN`); 0 or absent: no limit. */
  maxChildren?: number;
  /** Inactivity timeout, in seconds (docs/design.md §Lifecycle guarantees (G3)). */
  sessionTimeoutSecs: number;
  /** How long before an inactivity timeout `session:timeout_warning` goes out, in seconds; 0 or absent: never. */
  sessionTimeoutWarningSecs?: number;
  /** Inactivity timeout of a paused session, in seconds; 0 or absent: paused sessions never time out. */
  sessionPausedTimeoutSecs?: number;
  /** A node silent this long is down: its live sessions read as `runtime.unreachable`, in seconds. Default 30. */
  nodeTimeoutSecs?: number;
  /** The live sessions of a node down this long are ended as lost by the sweep, in seconds. Default 300. */
  nodeLostSecs?: number;
  /** How long ended sessions are kept, in seconds; 0 deletes on end (docs/design.md §Lifecycle guarantees (G4)). */
  retentionSecs: number;
  /** The server's base URL, given to spawned agents as `MAESTRO_URL`. */
  publicUrl: string;
  /** The server's token; each spawned agent gets its own token derived from it as `MAESTRO_TOKEN` (`issueSessionToken`); empty for none. */
  token?: string;
  /**
   * The small hook program agents without http hooks run (`node bin/maestro-hook.js`), wired into
   * spawned Codex and aider sessions (`withHooks`); absent: only Claude Code's hooks are wired.
   */
  hookProgram?: readonly string[];
  /** Maestro's MCP server over stdio, given to orchestrating agents (`node bin/maestro.js mcp`). */
  mcpProgram?: readonly string[];
}

/**
 * Sessions: creation, spawning in the runtime, workflow transitions, ending, activity, task links
 * and deletion with the full cascade (docs/design.md §Lifecycle guarantees). The API of sessions;
 * its parts are built here, each depending on the others it needs, never on this façade:
 *
 * - {@link SessionWrites}: inserts and version-fenced changes, with their events;
 * - {@link SessionLifecycle}: ending, deleting and purging, one or in bulk, with the cascade;
 * - {@link SessionExpiry}: inactivity timeouts and retention purges (the sweeper's passes);
 * - {@link SessionNodes}: sessions of other nodes, unreachable then lost;
 * - {@link SessionSpawner}: starting commands in the runtime;
 * - {@link SessionTerminal}: typing into a live session, answering it, pausing its processes;
 * - {@link AgentStates}: what each live agent is doing (working, waiting, idle);
 * - {@link Transcripts}: everything each session printed;
 * - {@link AgentReports}: what agents report through their hooks;
 * - {@link SessionDiffs}: what a session changed in its repository;
 * - {@link SessionFinisher}: merging, keeping or discarding its worktree.
 */
export class SessionService {
  readonly lifecycle: SessionLifecycle;
  readonly expiry: SessionExpiry;
  readonly nodes: SessionNodes;
  readonly spawner: SessionSpawner;
  readonly terminal: SessionTerminal;
  readonly agentStates: AgentStates;
  /** Waits for sessions to reach a state, from the event stream. */
  readonly waits: SessionWaits;
  readonly transcripts: Transcripts;
  readonly reports: AgentReports;
  readonly diffs: SessionDiffs;
  readonly finisher: SessionFinisher;
  private readonly writes: SessionWrites;
  /** Touches, logged in batches. */
  private readonly touches: TouchLog;

  constructor(
    private readonly deps: CoreDeps & { runtime: Runtime; git: GitInspector },
    options: SessionServiceOptions,
  ) {
    this.writes = new SessionWrites(deps, options);
    this.lifecycle = new SessionLifecycle(deps, this.writes, options);
    this.expiry = new SessionExpiry(deps, options, this.lifecycle);
    this.nodes = new SessionNodes(deps, options, this.lifecycle);
    this.spawner = new SessionSpawner(deps, options, { writes: this.writes, lifecycle: this.lifecycle, expiry: this.expiry });
    this.agentStates = new AgentStates(deps, this.writes);
    this.waits = new SessionWaits(deps);
    this.transcripts = new Transcripts(deps, this.writes);
    this.diffs = new SessionDiffs(deps, this.writes);
    this.finisher = new SessionFinisher(deps, { writes: this.writes, lifecycle: this.lifecycle });
    this.reports = new AgentReports(deps, { writes: this.writes, agentStates: this.agentStates, expiry: this.expiry });
    this.terminal = new SessionTerminal(deps, this.writes, this.expiry, this.agentStates);
    this.touches = new TouchLog(deps.clock, deps.log);
  }

  /** Writes the touches counted since the last batch (at shutdown). */
  flushTouchLog(): void {
    this.touches.flush();
  }

  /**
   * Creates a session record (no runtime), linked to its tasks.
   * @throws ValidationError on bad input, unknown project or tasks; ConflictError on a duplicate id;
   *   LimitExceededError when the active-session limit is reached
   */
  async create(input: CreateSessionInput): Promise<Session> {
    const data = parseInput(createSessionInput, input, 'body');
    await this.expireDue();
    const session = await this.writes.insert(newSessionRow(data, this.deps.clock.now()), data.taskIds);
    this.deps.log.info({ sessionId: session.id, projectId: session.projectId }, 'session created');
    return session;
  }

  /** Creates a session and starts its command in the runtime: see {@link SessionSpawner.spawn}. */
  spawn(input: SpawnInput): Promise<Session> {
    return this.spawner.spawn(input);
  }

  /**
   * The last `lines` lines of a session's output: read live from its runtime while it runs, else
   * the lines kept when it ended.
   * @throws NotFoundError
   */
  async output(id: string, lines: number): Promise<{ live: boolean; lines: string[] }> {
    const session = await this.get(id);
    const name = session.runtime.kind === 'tmux' && !isTerminal(session.status) ? session.runtime.tmuxSession : null;
    if (name) return { live: true, lines: await this.deps.runtime.capture(name, lines) };
    return { live: false, lines: session.output.slice(-lines) };
  }

  /**
   * One session. A session past its inactivity deadline is ended (`timed_out`) before it is read,
   * so no read reports it live (docs/design.md §Lifecycle guarantees (G3)).
   * @throws NotFoundError when no session has this id
   */
  async get(id: string): Promise<Session> {
    await this.expireDue();
    const [session] = await this.nodes.markUnreachable([await this.writes.fetch(id)]);
    return session as Session;
  }

  /**
   * Sessions matching the query (newest first, full rows), and the event sequence the list is
   * consistent with: for Maestro's own loops. The API answers {@link page}.
   * @throws ValidationError on a bad query
   */
  async list(query: ListSessionsQuery = {}): Promise<{ sessions: Session[]; seq: number }> {
    const filter = this.filterOf(query);
    await this.expireDue();
    const snapshot = await this.deps.store.transaction(async (tx) => {
      const [sessions, seq] = [await tx.listSessions(filter), await tx.lastSeq()];
      return { sessions, seq };
    });
    // Outside the transaction: it holds SQLite's only connection.
    return { ...snapshot, sessions: await this.nodes.markUnreachable(snapshot.sessions) };
  }

  /**
   * A page of the sessions matching the query, as `GET /api/sessions` answers it (docs/design.md
   * §Lists): summaries, or full rows without their kept output (`view=full`, with it
   * `include=output`); how many match in all; the event sequence the page is consistent with; and
   * the cursor of the next page (null on the last one).
   * @throws ValidationError on a bad query or cursor, or `include` without `view=full`
   */
  async page(query: ListSessionsQuery = {}): Promise<SessionList> {
    const { view, include } = parseInput(listSessionsQuery, query, 'query');
    if (include && view !== 'full')
      throw new ValidationError([{ path: 'query.include', message: 'expected view=full: summaries never carry output' }]);
    const filter = this.filterOf(query);
    await this.expireDue();
    // One more than the page: whether a next page exists is known without another query.
    const ahead = filter.recent === undefined ? { ...filter, limit: filter.limit + 1 } : filter;
    const read = await this.deps.store.transaction(async (tx) => ({
      rows: view === 'full' ? await tx.listSessions(ahead) : await tx.listSessionSummaries(ahead),
      total: await tx.countSessions(filter),
      seq: await tx.lastSeq(),
    }));
    const more = filter.recent === undefined && read.rows.length > filter.limit;
    if (more) read.rows.pop();
    const last = read.rows.at(-1);
    const nextCursor = more && last ? encodeCursor(last) : null;
    const page = { seq: read.seq, total: read.total, nextCursor };
    if (view === 'summary')
      return { view, sessions: (await this.nodes.markUnreachable(read.rows as SummaryRow[])).map(sessionSummary), ...page };
    const full = await this.nodes.markUnreachable(read.rows as Session[]);
    return { view, sessions: full.map(({ output, ...rest }) => (include ? { ...rest, output } : rest)), ...page };
  }

  /** The store's filter of a list query: its fields, and the cursor decoded. @throws ValidationError */
  private filterOf(query: ListSessionsQuery): SessionFilter {
    const { view: _v, include: _i, cursor, ...filter } = parseInput(listSessionsQuery, query, 'query');
    return { ...filter, ...(cursor === undefined ? {} : { after: decodeCursor(cursor) }) };
  }

  /**
   * Updates descriptive fields; `statistics`, `configuration` and `gitContext` are merged field by field.
   * Counts as activity.
   * @throws ValidationError; NotFoundError
   */
  async update(id: string, input: UpdateSessionInput): Promise<Session> {
    const patch = parseInput(updateSessionInput, input, 'body');
    await this.expireDue();
    return this.writes.mutate(id, (s) => ({
      ...requireVersion(s, patch.version),
      name: patch.name ?? s.name,
      featureRequest: patch.featureRequest ?? s.featureRequest,
      phase: patch.phase === undefined ? s.phase : patch.phase,
      prdReference: patch.prdReference === undefined ? s.prdReference : patch.prdReference,
      gitContext: mergeDefined(s.gitContext, patch.gitContext),
      statistics: mergeDefined(s.statistics, patch.statistics),
      configuration: mergeDefined(s.configuration, patch.configuration),
    }));
  }

  /**
   * Moves a session along the workflow table. A move into `completed` or `failed` ends the session
   * (reason `completed` or `failed`), with the same cleanup as {@link end}.
   * @throws ValidationError; NotFoundError; InvalidTransitionError naming the allowed states
   */
  async transition(id: string, input: TransitionInput): Promise<Session> {
    const { status, phase, version } = parseInput(transitionInput, input, 'body');
    const current = requireVersion(await this.get(id), version);
    transitionStatus(id, current.status, status);
    if (isTerminal(status))
      return this.end(id, status === 'completed' ? 'completed' : 'failed', { version, transitionTo: status });
    const session = await this.writes.mutate(id, (s) => ({
      ...requireVersion(s, version),
      status: transitionStatus(id, s.status, status),
      phase: phase === undefined ? s.phase : phase,
    }));
    this.deps.log.info({ sessionId: id, from: current.status, to: status }, 'session transitioned');
    if (status === 'paused' || current.status === 'paused') await this.terminal.stopOrContinue(session, status === 'paused');
    return session;
  }

  /** Ends a non-terminal session: see {@link SessionLifecycle.end}. */
  end(id: string, reason: EndReason, options: EndOptions = {}): Promise<Session> {
    return this.lifecycle.end(id, reason, options);
  }

  /**
   * Imports exported session metadata (`maestro session export`) as a session record, with its
   * task links, appending `session:created`. Its project and tasks must exist here. The record's
   * runtime is dropped (kept: its exit code): a runtime named in a file is not Maestro's to read or
   * kill, so an imported live session is a record without a runtime (docs/design.md §Access policy).
   * @throws ValidationError (bad metadata, unknown project or tasks); ConflictError when the id exists;
   *   LimitExceededError when it is live and the active-session limit is reached
   */
  async importMetadata(metadata: unknown): Promise<Session> {
    const { taskIds, needsInput: _legacy, ...imported } = parseInput(importSessionInput, metadata, 'body');
    await this.expireDue();
    const parent = imported.parentSessionId;
    const row = {
      ...imported,
      runtime: { kind: 'none' as const, host: null, tmuxSession: null, pid: null, exitCode: imported.runtime.exitCode },
      // Its parent may have stayed behind on the machine it was exported from.
      parentSessionId: parent !== null && (await this.deps.store.getSession(parent)) ? parent : null,
    };
    const session = await this.writes.insert(row, taskIds, { limit: !isTerminal(row.status) });
    // It keeps its own activity time, which may put its deadline before any this node remembers.
    if (!isTerminal(session.status)) this.expiry.forgetDeadline();
    this.deps.log.info({ sessionId: session.id, projectId: session.projectId }, 'session imported');
    return session;
  }

  /**
   * An agent's own report that it waits for its user (a hook; docs/design.md §Agent state): its
   * agent moves to `waiting` with the reason, message and choices given, appending
   * `session:agent_state`. Counts as activity.
   * @throws ValidationError; NotFoundError; ConflictError when the session has ended
   */
  async needsInput(id: string, input: NeedsInputInput): Promise<Session> {
    const { reason, message, choices } = parseInput(needsInputInput, input, 'body');
    await this.expireDue();
    const waitingFor = { reason, message: message ?? '', ...(choices ? { choices } : {}) };
    return this.agentStates.set(id, { state: 'waiting', waitingFor }, { activity: true, source: 'hook' });
  }

  /**
   * An agent's own report that its user answered: its agent moves to `working`, appending
   * `session:agent_state`. Counts as activity.
   * @throws NotFoundError; ConflictError when the session has ended
   */
  async inputGiven(id: string): Promise<Session> {
    await this.expireDue();
    return this.agentStates.set(id, { state: 'working' }, { activity: true, source: 'hook' });
  }

  /**
   * Tokens and estimated cost of the stored sessions: in total, per project and per model (each
   * session counted under the model it used last); sessions without usage are left out.
   */
  async usage(): Promise<UsageSummary> {
    type Line = { sessions: number; tokens: Statistics['tokens']; costUsd: number };
    const empty = (): Line => ({ sessions: 0, tokens: { ...EMPTY_STATISTICS.tokens }, costUsd: 0 });
    const add = (into: Map<string, Line>, key: string, s: Statistics) => {
      const line = into.get(key) ?? empty();
      line.sessions++;
      for (const kind of ['input', 'output', 'cacheRead', 'cacheWrite'] as const) line.tokens[kind] += s.tokens[kind];
      line.costUsd += s.costUsd;
      into.set(key, line);
    };
    const total = new Map<string, Line>();
    const byProject = new Map<string, Line>();
    const byModel = new Map<string, Line>();
    for (const { projectId, statistics } of await this.deps.store.listUsage()) {
      const t = statistics.tokens;
      if (t.input + t.output + t.cacheRead + t.cacheWrite === 0 && statistics.costUsd === 0) continue;
      add(total, '', statistics);
      add(byProject, projectId, statistics);
      add(byModel, statistics.model ?? 'unknown', statistics);
    }
    return {
      total: total.get('') ?? empty(),
      byProject: [...byProject].map(([projectId, line]) => ({ projectId, ...line })).sort((a, b) => b.costUsd - a.costUsd),
      byModel: [...byModel].map(([model, line]) => ({ model, ...line })).sort((a, b) => b.costUsd - a.costUsd),
    };
  }

  /**
   * Starts an ended session's command again, for an agent that crashed: in the same directory (its
   * worktree, if it had one), as a new session of the same project, name and tasks, whose
   * `launch.restartOf` names the old one; Claude Code gets `--continue`, so its conversation
   * resumes (`resumeCommand`).
   * @throws NotFoundError; ValidationError when Maestro did not spawn it; ConflictError while it
   *   is live (end it first); whatever spawning throws
   */
  async restart(id: string): Promise<Session> {
    const old = await this.get(id);
    if (!old.launch)
      throw new ValidationError([
        { path: 'params.id', message: `session ${id} was not spawned by Maestro: no command to start again` },
      ]);
    if (!isTerminal(old.status))
      throw new ConflictError(`session ${id} is still live (${old.status}): end it before restarting it`, {
        sessionId: id,
        status: old.status,
      });
    const session = await this.spawner.spawn(
      {
        projectId: old.projectId,
        taskIds: old.taskIds,
        ...(old.name === old.id ? {} : { name: old.name }),
        featureRequest: old.featureRequest,
        cwd: old.launch.cwd,
        command: resumeCommand(old.launch.agent, old.launch.command),
        agent: old.launch.agent,
      },
      { restartOf: id },
    );
    this.deps.log.info({ sessionId: session.id, restartOf: id }, 'session restarted');
    return session;
  }

  /**
   * Records activity: `lastActivityAt` becomes now and `messageCount` grows by `messages` (default 1).
   * @throws ValidationError; NotFoundError
   */
  async touch(id: string, input: TouchInput = {}): Promise<Session> {
    const { messages } = parseInput(touchInput, input, 'body');
    await this.expireDue();
    const session = await this.writes.mutate(id, (s) => ({ ...requireLive(s), messageCount: s.messageCount + messages }), {
      activity: 'touch',
    });
    this.touches.record(id);
    return session;
  }

  /**
   * Records activity seen in the runtime (tmux): moves each session's `lastActivityAt` forward to
   * `atMs` (ms since the epoch) without counting a message; older activity changes nothing. One
   * transaction for all (one durable commit for a whole reconcile pass, however many agents
   * printed); sessions ended or gone meanwhile are skipped.
   */
  async recordRuntimeActivities(seen: readonly { id: string; atMs: number }[]): Promise<void> {
    if (seen.length === 0) return;
    const now = this.deps.clock.now();
    await this.deps.store.transaction(async (tx) => {
      for (const { id, atMs } of seen) {
        const before = await tx.getSession(id);
        if (!before || isTerminal(before.status) || atMs <= Date.parse(before.lastActivityAt)) continue;
        await this.writes.save(tx, before, { ...before, lastActivityAt: new Date(atMs).toISOString() }, now);
      }
    });
  }

  /**
   * Links a task (of the same project) to a session, both ways. Linking twice changes nothing.
   * @throws ValidationError (bad ids, task of another project); NotFoundError for the session
   */
  async linkTask(sessionId: string, taskId: string): Promise<Session> {
    parseInput(taskIdSchema, taskId, 'params.taskId');
    await this.expireDue();
    return this.writes.relink(sessionId, async (session, tx, now) => {
      // Named in the URL: a task that does not exist is not found, like a missing session.
      if (!(await tx.getTask(taskId))) throw new NotFoundError('task', taskId);
      await requireTasks(tx, session.projectId, [taskId], 'params.taskId');
      return linkEvents(tx, taskId, sessionId, now, !isTerminal(session.status));
    });
  }

  /**
   * Unlinks a task from a session, both ways; the task's timeline gets `session_ended` (reason `unlinked`).
   * @throws NotFoundError when the session does not exist or the two are not linked
   */
  async unlinkTask(sessionId: string, taskId: string): Promise<Session> {
    parseInput(taskIdSchema, taskId, 'params.taskId');
    return this.writes.relink(sessionId, async (_session, tx, now) => {
      const events = await unlinkEvents(tx, taskId, sessionId, now, 'unlinked');
      if (events.length === 0) throw new NotFoundError('task link', `${sessionId}/${taskId}`);
      return events;
    });
  }

  /**
   * Deletes a session with the full cascade: see {@link SessionLifecycle.delete}.
   * @throws ValidationError on a malformed id; NotFoundError
   */
  async delete(id: string, reason = 'deleted'): Promise<void> {
    parseInput(sessionIdSchema, id, 'params.id');
    await this.lifecycle.delete(id, reason);
  }

  /** See {@link SessionExpiry.expireDue}. */
  expireDue(): Promise<void> {
    return this.expiry.expireDue();
  }
}
