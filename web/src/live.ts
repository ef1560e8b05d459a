import {
  applyToSummaries,
  type LoopFailure,
  MaestroApiError,
  MaestroClient,
  type Project,
  type SessionSummary,
  type StreamHandle,
  type Task,
  type TypedEvent,
} from '../../src/client/index.js';

/**
 * Ended sessions kept beyond the live ones (docs/design.md §Lifecycle guarantees (G11): bounded
 * client caches): the newest, about 350 bytes each as summaries, so some 3.5 MB at most.
 */
export const ENDED_CAP = 10_000;
/** How long events gather before they are applied together: one copy of the lists and one render per batch. */
export const BATCH_MS = 20;
/** How far past {@link ENDED_CAP} the ended map may grow before it is cut back (one sort per this many ends, not per end). */
const CAP_SLACK = 250;
/** Summaries per page while loading (the API's most). */
const PAGE = 1000;

/** `unauthorized`: the server asks for a token this tab does not have (or has wrong). */
export type Connection = 'loading' | 'live' | 'reconnecting' | 'unauthorized';

/** What the dashboard shows; replaced (never mutated) on every change so React sees it. */
export interface LiveState {
  connection: Connection;
  seq: number;
  /** Sessions not ended, by id. */
  active: ReadonlyMap<string, SessionSummary>;
  /** Ended sessions, by id: the newest {@link ENDED_CAP}. A separate map, so a change of a live one leaves it (and what is drawn from it) alone. */
  ended: ReadonlyMap<string, SessionSummary>;
  /** Whether the ended sessions are still being loaded, page after page, after the first paint. */
  loadingEnded: boolean;
  tasks: ReadonlyMap<string, Task>;
  projects: ReadonlyMap<string, Project>;
  paused: boolean;
  /** Background loops of the server failing now, by loop name. */
  failingLoops: ReadonlyMap<string, LoopFailure>;
  /** Counts snapshot reloads (after a resync): what was read outside the lists, such as an open session, is read again. */
  generation: number;
}

/**
 * The dashboard's live cache: session summaries (never kept output), tasks, projects and the queue,
 * loaded as a snapshot and kept current by the event stream from the snapshot's sequence. The live
 * sessions come first, so the page draws at once; the ended ones follow page by page. On a dropped
 * connection it resumes from its last sequence, and on `resync` it reloads. A session page reads
 * its full session itself, kept current by a stream of its own (`useFullSession`, context.ts).
 */
export class Live {
  readonly client: MaestroClient;
  private state: LiveState = {
    connection: 'loading',
    seq: 0,
    active: new Map(),
    ended: new Map(),
    loadingEnded: false,
    tasks: new Map(),
    projects: new Map(),
    paused: false,
    failingLoops: new Map(),
    generation: 0,
  };
  /** Every summary held (the union of `active` and `ended`), updated in place by `applyToSummaries`. */
  private readonly all = new Map<string, SessionSummary>();
  /** Sessions deleted while the ended pages load: a page read before the delete must not bring one back. */
  private readonly deletedWhileLoading = new Set<string>();
  private readonly listeners = new Set<() => void>();
  private pending: TypedEvent[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stream: StreamHandle | undefined;
  private loadRun = 0;

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

  /** The summary of session `id`, live or ended, when held. */
  summary(id: string): SessionSummary | undefined {
    return this.state.active.get(id) ?? this.state.ended.get(id);
  }

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
      onEvent: (event) => this.receive(event),
      onResync: () => this.reload(),
      onStatus: (status) => {
        const connection: Connection = status === 'live' ? 'live' : status === 'connecting' ? 'loading' : 'reconnecting';
        this.set({ ...this.state, connection });
      },
    });
  }

  stop(): void {
    this.stream?.close();
    clearTimeout(this.timer);
    this.loadRun++;
  }

  /** Cuts the event stream as a network failure would (optionally moving its cursor); it reconnects by itself. */
  dropConnection(since?: number): void {
    this.stream?.reconnect(since);
  }

  /** Pauses or resumes the project queue: this page at once from the answer, every page from `queue:paused` / `queue:resumed`. */
  async setQueuePaused(paused: boolean): Promise<void> {
    const view = await (paused ? this.client.queue.pause() : this.client.queue.resume());
    this.set({ ...this.state, paused: view.paused });
  }

  /** Applies `events` at once, as a batch from the stream is (for benchmarks; the stream calls it itself). */
  applyBatch(events: TypedEvent[]): void {
    this.pending.push(...events);
    this.flush();
  }

  /**
   * Loads a fresh snapshot of the live sessions, tasks, projects and queue; the ended sessions
   * follow in the background. Returns the event sequence the snapshot is consistent with.
   */
  private async reload(): Promise<number> {
    const run = ++this.loadRun;
    // Every live session, page by page (a list answers its sequence with each page; the first one's
    // is the oldest, so the stream from it misses nothing: later pages are merged by version).
    // All at once: one round trip before the first paint.
    const [first, tasks, projects, queue, health] = await Promise.all([
      this.client.sessions.list({ active: true, limit: PAGE }),
      this.client.tasks.listFull({ limit: 1000 }),
      this.client.projects.list(),
      this.client.queue.list(),
      this.client.health(),
    ]);
    const live = [...first.sessions];
    for (let cursor = first.nextCursor; cursor; ) {
      const page = await this.client.sessions.list({ active: true, limit: PAGE, cursor });
      live.push(...page.sessions);
      cursor = page.nextCursor;
    }
    const kept = [...this.state.ended.values()];
    this.all.clear();
    for (const s of [...kept, ...live]) this.all.set(s.id, s);
    this.pending = [];
    this.deletedWhileLoading.clear();
    this.set({
      ...this.state,
      seq: first.seq,
      active: new Map(live.map((s) => [s.id, s])),
      ended: new Map(kept.map((s) => [s.id, s])),
      loadingEnded: true,
      tasks: new Map(tasks.map((t) => [t.id, t])),
      projects: new Map(projects.map((p) => [p.id, p])),
      paused: queue.paused,
      failingLoops: new Map(health.failingLoops.map((f) => [f.loop, f])),
      generation: this.state.generation + 1,
    });
    void this.loadEnded(run, kept.length > 0);
    return first.seq;
  }

  /** Loads the ended sessions, newest first, up to {@link ENDED_CAP}; `replace`: what is held is stale (a reload). */
  private async loadEnded(run: number, replace: boolean): Promise<void> {
    const fresh = new Set<string>();
    try {
      for await (const page of this.client.sessions.pages({ active: false, limit: PAGE })) {
        if (run !== this.loadRun) return;
        for (const s of page.sessions) {
          fresh.add(s.id);
          const held = this.all.get(s.id);
          if (this.deletedWhileLoading.has(s.id) || (held && held.version > s.version)) continue;
          this.all.set(s.id, s);
        }
        this.rebuild();
        if (fresh.size >= ENDED_CAP) break;
      }
      if (run !== this.loadRun) return;
      // After a reload, what the fresh pages no longer hold was deleted meanwhile.
      if (replace) for (const [id, s] of this.all) if (s.completedAt !== undefined && !fresh.has(id)) this.all.delete(id);
    } catch {
      // A cut while loading: the reload after the reconnect (resync) or the next start loads them again.
    }
    if (run !== this.loadRun) return;
    this.deletedWhileLoading.clear();
    this.rebuild();
    this.set({ ...this.state, loadingEnded: false });
  }

  /** Sorts `all` into fresh active and ended maps (after deletes and page loads: rare, O(n)). */
  private rebuild(): void {
    const active = new Map<string, SessionSummary>();
    const ended = new Map<string, SessionSummary>();
    for (const [id, s] of this.all) (s.completedAt === undefined ? active : ended).set(id, s);
    this.set({ ...this.state, active, ended: this.cap(ended) });
  }

  /** Keeps the newest {@link ENDED_CAP} of `ended` (dropping the rest from `all` too). */
  private cap(ended: Map<string, SessionSummary>): Map<string, SessionSummary> {
    if (ended.size <= ENDED_CAP + CAP_SLACK) return ended;
    const oldest = [...ended.values()]
      .sort((a, b) => (b.completedAt as string).localeCompare(a.completedAt as string))
      .slice(ENDED_CAP);
    for (const s of oldest) {
      ended.delete(s.id);
      this.all.delete(s.id);
    }
    return ended;
  }

  private receive(event: TypedEvent): void {
    this.pending.push(event);
    this.timer ??= setTimeout(() => this.flush(), BATCH_MS);
  }

  /** Applies the pending events as one change: each list is copied at most once. */
  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const events = this.pending;
    if (events.length === 0) return;
    this.pending = [];
    let tasks: Map<string, Task> | undefined;
    let projects: Map<string, Project> | undefined;
    let failingLoops: Map<string, LoopFailure> | undefined;
    let paused: boolean | undefined;
    const touched = new Set<string>();
    let deletes = false;
    for (const event of events) {
      applyToSummaries(this.all, event);
      switch (event.type) {
        case 'session:created':
        case 'session:updated':
        case 'session:agent_state':
        case 'session:ended':
          touched.add(event.data.id);
          break;
        case 'sessions:ended':
          for (const s of event.data.sessions) touched.add(s.id);
          break;
        case 'session:task_added':
        case 'session:task_removed':
          touched.add(event.data.sessionId);
          break;
        case 'session:deleted':
        case 'sessions:purged':
          deletes = true;
          // Remembered only while pages load (then cleared), so the set stays as small as a load is short.
          if (this.state.loadingEnded)
            for (const s of event.type === 'session:deleted' ? [event.data] : event.data.sessions)
              this.deletedWhileLoading.add(s.id);
          break;
        case 'task:created':
        case 'task:updated':
          tasks ??= new Map(this.state.tasks);
          tasks.set(event.data.id, event.data);
          break;
        case 'task:deleted':
          tasks ??= new Map(this.state.tasks);
          tasks.delete(event.data.id);
          break;
        case 'task:session_added':
        case 'task:session_removed': {
          tasks ??= new Map(this.state.tasks);
          const t = tasks.get(event.data.taskId);
          if (t) {
            const ids = t.sessionIds.filter((id) => id !== event.data.sessionId);
            tasks.set(t.id, { ...t, sessionIds: event.type === 'task:session_added' ? [...ids, event.data.sessionId] : ids });
          }
          break;
        }
        case 'project:deleted':
          projects ??= new Map(this.state.projects);
          projects.delete(event.data.id);
          break;
        case 'loop:failed':
          failingLoops ??= new Map(this.state.failingLoops);
          failingLoops.set(event.data.loop, { loop: event.data.loop, since: event.at, failures: 1, message: event.data.message });
          break;
        case 'loop:recovered':
          failingLoops ??= new Map(this.state.failingLoops);
          failingLoops.delete(event.data.loop);
          break;
        case 'queue:paused':
        case 'queue:resumed':
          paused = event.data.paused;
          break;
        case 'session:timeout_warning':
        case 'session:input_sent':
        case 'session:finished':
          // Change nothing a list shows: the session's own change comes as session:updated.
          break;
        default:
          // Every other project event carries the project after the change.
          projects ??= new Map(this.state.projects);
          projects.set(event.data.id, event.data);
      }
    }
    const last = events[events.length - 1] as TypedEvent;
    const next: LiveState = {
      ...this.state,
      seq: last.seq,
      tasks: tasks ?? this.state.tasks,
      projects: projects ?? this.state.projects,
      failingLoops: failingLoops ?? this.state.failingLoops,
      paused: paused ?? this.state.paused,
      ...(deletes ? {} : this.moved(touched)),
    };
    this.state = next;
    if (deletes) this.rebuild();
    else this.set(next);
  }

  /** The active and ended maps with the `touched` sessions put where they now belong; a map none of them is in stays as it was. */
  private moved(touched: Set<string>): Pick<LiveState, 'active' | 'ended'> {
    let active: Map<string, SessionSummary> | undefined;
    let ended: Map<string, SessionSummary> | undefined;
    for (const id of touched) {
      const s = this.all.get(id);
      const isEnded = s?.completedAt !== undefined;
      if (this.state.active.has(id) || (s && !isEnded)) {
        active ??= new Map(this.state.active);
        if (s && !isEnded) active.set(id, s);
        else active.delete(id);
      }
      if (this.state.ended.has(id) || (s && isEnded)) {
        ended ??= new Map(this.state.ended);
        if (s && isEnded) ended.set(id, s);
        else ended.delete(id);
      }
    }
    return { active: active ?? this.state.active, ended: ended ? this.cap(ended) : this.state.ended };
  }

  private set(next: LiveState): void {
    this.state = next;
    for (const listener of this.listeners) listener();
  }
}
