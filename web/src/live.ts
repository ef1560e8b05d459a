import {
  type EventData,
  type LoopFailure,
  MaestroApiError,
  MaestroClient,
  type Project,
  type Session,
  type StreamHandle,
  type Task,
  type TypedEvent,
} from '../../src/client/index.js';

/** Ended sessions kept in the cache beyond the active ones (docs/design.md §Lifecycle guarantees (G11): bounded client caches). */
export const RECENT_ENDED = 20;

/** `unauthorized`: the server asks for a token this tab does not have (or has wrong). */
export type Connection = 'loading' | 'live' | 'reconnecting' | 'unauthorized';

/** What the dashboard shows; replaced (never mutated) on every change so React sees it. */
export interface LiveState {
  connection: Connection;
  seq: number;
  sessions: ReadonlyMap<string, Session>;
  tasks: ReadonlyMap<string, Task>;
  projects: ReadonlyMap<string, Project>;
  paused: boolean;
  /** Background loops of the server failing now, by loop name. */
  failingLoops: ReadonlyMap<string, LoopFailure>;
}

/**
 * The dashboard's live cache: loads a snapshot, then applies the event stream from the snapshot's
 * sequence; on a dropped connection it resumes from its last sequence, and on `resync` reloads.
 * Holds at most the active sessions plus the {@link RECENT_ENDED} most recently ended ones.
 */
export class Live {
  readonly client: MaestroClient;
  private state: LiveState = {
    connection: 'loading',
    seq: 0,
    sessions: new Map(),
    tasks: new Map(),
    projects: new Map(),
    paused: false,
    failingLoops: new Map(),
  };
  private readonly listeners = new Set<() => void>();
  private stream: StreamHandle | undefined;

  /** @param token the server's `MAESTRO_TOKEN`, when it has one */
  constructor(baseUrl: string, token?: string) {
    this.client = new MaestroClient({ baseUrl, token });
  }

  get snapshot(): LiveState {
    return this.state;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): LiveState => this.state;

  /** Loads the snapshot, then follows the event stream from its sequence (resuming after cuts, reloading on resync). */
  async start(): Promise<void> {
    let seq: number;
    try {
      seq = await this.reload();
    } catch (err) {
      if (err instanceof MaestroApiError && err.status === 401) {
        this.set({ ...this.state, connection: 'unauthorized' });
        return;
      }
      throw err;
    }
    this.stream = this.client.stream({
      since: seq,
      onEvent: (event) => this.apply(event),
      onResync: () => this.reload(),
      onStatus: (status) => {
        const connection: Connection = status === 'live' ? 'live' : status === 'connecting' ? 'loading' : 'reconnecting';
        this.set({ ...this.state, connection });
      },
    });
  }

  stop(): void {
    this.stream?.close();
  }

  /** Cuts the event stream as a network failure would (optionally moving its cursor); it reconnects by itself. */
  dropConnection(since?: number): void {
    this.stream?.reconnect(since);
  }

  /** Loads a fresh snapshot; returns the event sequence it is consistent with. */
  private async reload(): Promise<number> {
    // Full rows (the session page reads their git context, statistics, launch); never their output.
    const active = await this.client.sessions.listFull({ active: true, limit: 1000 });
    const [ended, tasks, projects, queue, health] = await Promise.all([
      this.client.sessions.listFull({ active: false, limit: RECENT_ENDED }),
      this.client.tasks.listFull({ limit: 1000 }),
      this.client.projects.list(),
      this.client.queue.list(),
      this.client.health(),
    ]);
    this.set({
      connection: this.state.connection,
      seq: active.seq,
      sessions: new Map([...active.sessions, ...ended.sessions].map((s) => [s.id, { ...s, output: s.output ?? [] }])),
      tasks: new Map(tasks.map((t) => [t.id, t])),
      projects: new Map(projects.map((p) => [p.id, p])),
      paused: queue.paused,
      failingLoops: new Map(health.failingLoops.map((f) => [f.loop, f])),
    });
    return active.seq;
  }

  private apply(event: TypedEvent): void {
    const sessions = new Map(this.state.sessions);
    const tasks = new Map(this.state.tasks);
    const projects = new Map(this.state.projects);
    const failingLoops = new Map(this.state.failingLoops);
    const linkTask = (taskId: string, sessionId: string, add: boolean) => {
      const t = tasks.get(taskId);
      if (!t) return;
      const ids = t.sessionIds.filter((id) => id !== sessionId);
      tasks.set(taskId, { ...t, sessionIds: add ? [...ids, sessionId] : ids });
    };
    const linkSession = (sessionId: string, taskId: string, add: boolean) => {
      const s = sessions.get(sessionId);
      if (!s) return;
      const ids = s.taskIds.filter((id) => id !== taskId);
      sessions.set(sessionId, { ...s, taskIds: add ? [...ids, taskId] : ids });
    };
    const ended = (patch: EventData<'session:ended'>) => {
      const s = sessions.get(patch.id);
      if (!s || s.version > patch.version) return;
      const { exitCode, ...rest } = patch;
      // An ended session's agent has exited (docs/design.md §Agent state).
      const agent =
        s.agentState === null ? {} : { agentState: 'exited' as const, agentStateSince: patch.completedAt, waitingFor: null };
      sessions.set(patch.id, { ...s, ...rest, ...agent, runtime: { ...s.runtime, exitCode } });
    };
    const forget = (s: { id: string; taskIds: string[] }) => {
      sessions.delete(s.id);
      for (const taskId of s.taskIds) linkTask(taskId, s.id, false);
    };
    switch (event.type) {
      case 'session:created':
      case 'session:updated': {
        const current = sessions.get(event.data.id);
        if (!current || current.version <= event.data.version) sessions.set(event.data.id, event.data);
        break;
      }
      case 'session:agent_state': {
        const { id, to, at, version, waitingFor, lastActivityAt } = event.data;
        const current = sessions.get(id);
        if (current && current.version <= version)
          sessions.set(id, { ...current, agentState: to, agentStateSince: at, waitingFor, lastActivityAt, version });
        break;
      }
      case 'session:ended':
        ended(event.data);
        break;
      case 'sessions:ended':
        for (const patch of event.data.sessions) ended(patch);
        break;
      case 'session:deleted':
        forget(event.data);
        break;
      case 'sessions:purged':
        for (const s of event.data.sessions) forget(s);
        break;
      case 'session:task_added':
      case 'session:task_removed':
        linkSession(event.data.sessionId, event.data.taskId, event.type === 'session:task_added');
        break;
      case 'task:session_added':
      case 'task:session_removed':
        linkTask(event.data.taskId, event.data.sessionId, event.type === 'task:session_added');
        break;
      case 'task:created':
      case 'task:updated':
        tasks.set(event.data.id, event.data);
        break;
      case 'task:deleted':
        tasks.delete(event.data.id);
        break;
      case 'project:deleted':
        projects.delete(event.data.id);
        break;
      case 'loop:failed':
        failingLoops.set(event.data.loop, { loop: event.data.loop, since: event.at, failures: 1, message: event.data.message });
        break;
      case 'loop:recovered':
        failingLoops.delete(event.data.loop);
        break;
      case 'session:timeout_warning':
      case 'session:input_sent':
      case 'session:finished':
        // Change no state: the deadline follows from the last activity, and the session's own
        // change comes as session:updated.
        break;
      default:
        // Every other project event carries the project after the change.
        projects.set(event.data.id, event.data);
    }
    this.set({ ...this.state, seq: event.seq, sessions: prune(sessions), tasks, projects, failingLoops });
  }

  private set(next: LiveState): void {
    this.state = next;
    for (const listener of this.listeners) listener();
  }
}

/** Keeps every active session and the {@link RECENT_ENDED} most recently ended ones. */
export function prune(sessions: Map<string, Session>): Map<string, Session> {
  const ended = [...sessions.values()].filter((s) => s.completedAt !== null);
  if (ended.length <= RECENT_ENDED) return sessions;
  ended.sort((a, b) => Date.parse(b.completedAt as string) - Date.parse(a.completedAt as string));
  for (const s of ended.slice(RECENT_ENDED)) sessions.delete(s.id);
  return sessions;
}
