import { performance } from 'node:perf_hooks';
import { type AgentKind, type AgentState, isAlreadyGone, MaestroError } from '../../domain/index.js';
import { AGENT_SCREENS, readScreen, type ScreenReading } from '../agents/index.js';
import type { CoreDeps } from '../deps.js';
import type { Runtime } from '../runtime.js';
import type { AgentStateChange } from '../sessions/agent-states.js';
import type { SessionService } from '../sessions/sessions.js';

/** How many ended sessions the watcher remembers, to ignore output that trails their end. */
const GONE_KEPT = 1000;

/** Options of {@link AgentWatcher}. */
export interface AgentWatcherOptions {
  /** A screen unchanged this long (no output) means `idle`, in seconds (`MAESTRO_IDLE_SECS`). */
  idleSecs: number;
  /**
   * Output quiet this long has settled, in milliseconds: the screen is read then (a prompt shows
   * once its agent stops drawing). Default 250.
   */
  settleMs?: number;
}

/** One watched session: what was seen of it, and its timers. Times are performance.now() milliseconds. */
interface Watched {
  id: string;
  name: string;
  agent: AgentKind | undefined;
  lastOutput: number;
  /** The last state this watcher wrote (or read back), to skip writing `working` on every write of a busy pane. */
  state: string | undefined;
  settleTimer: NodeJS.Timeout | undefined;
  idleTimer: NodeJS.Timeout | undefined;
  /** Writes of this session, one after the other. */
  queue: Promise<void>;
}

/**
 * What a reading of the screen makes of the agent: a prompt asking the user → `waiting` with its
 * question; the agent's input prompt → `waiting` for its next instruction (`idle_prompt`); a
 * spinner → `working`. A screen that says nothing known, just changed by output, → `working`;
 * read without output (at adoption), it changes nothing (undefined).
 */
export function stateOfReading(reading: ScreenReading, afterOutput: boolean): AgentStateChange | undefined {
  switch (reading.state) {
    case 'waiting':
      return { state: 'waiting', waitingFor: reading.waitingFor };
    case 'idle':
      return { state: 'waiting', waitingFor: { reason: 'idle_prompt', message: '' } };
    case 'working':
      return { state: 'working' };
    default:
      return afterOutput ? { state: 'working' } : undefined;
  }
}

/**
 * Knows what each agent of this node is doing, from its terminal, as it happens (docs/design.md
 * §Agent state). The runtime tells of every write of a pane (no polling); output flowing means
 * `working`; once it settles for `settleMs` the screen is read once and its agent's detector
 * (`readScreen`) says whether it asks permission, asks a question or waits at its prompt; no
 * output for `idleSecs` means `idle`. Every move goes through `AgentStates` (one event each,
 * none for repeats). A session that ended is forgotten at its next notice.
 */
export class AgentWatcher {
  private readonly watched = new Map<string, Watched>();
  /** Sessions that ended or went, most recent last: output that trails their end does not bring them back. */
  private readonly gone = new Set<string>();
  private readonly unsubscribe: (() => void)[] = [];
  private readonly settleMs: number;
  private readonly idleMs: number;
  private running = false;

  constructor(
    private readonly deps: CoreDeps & { runtime: Runtime; sessions: Pick<SessionService, 'agentStates'> },
    options: AgentWatcherOptions,
  ) {
    this.settleMs = options.settleMs ?? 250;
    this.idleMs = options.idleSecs * 1000;
  }

  /**
   * Starts listening to the runtime, and takes this node's live sessions under watch (each one's
   * stream re-opened if it was not, its screen read once). Idempotent.
   * @throws only on storage failure listing the live sessions
   */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    const { notices } = this.deps.runtime;
    this.unsubscribe.push(
      notices.onOutput((name) => this.output(name)),
      notices.onStart((name) => this.started(name)),
      // A session that ended or went is forgotten at once, whatever state it was last in.
      this.deps.store.onEvents((events) => {
        for (const event of events) {
          if (event.type === 'session:ended' || event.type === 'session:deleted') this.forgetId(event.data.id as string);
          else if (event.type === 'sessions:ended' || event.type === 'sessions:purged')
            for (const s of event.data.sessions as { id: string }[]) this.forgetId(s.id);
        }
      }),
    );
    for (const live of await this.deps.store.listActiveRuntimes(this.deps.runtime.host)) {
      await this.deps.runtime.stream(live.tmuxSession);
      const w = this.entry(live.tmuxSession);
      if (!w) continue;
      this.armIdle(w);
      this.enqueue(w, () => this.read(w, false));
    }
  }

  /** Stops listening and clears every timer; waits for writes in flight. Idempotent. */
  async stop(): Promise<void> {
    this.running = false;
    for (const off of this.unsubscribe.splice(0)) off();
    const pending: Promise<void>[] = [];
    for (const w of this.watched.values()) {
      clearTimeout(w.settleTimer);
      clearTimeout(w.idleTimer);
      pending.push(w.queue);
    }
    this.watched.clear();
    await Promise.all(pending);
  }

  /** How many sessions are under watch (for tests and metrics). */
  get size(): number {
    return this.watched.size;
  }

  private entry(name: string): Watched | undefined {
    const known = this.watched.get(name);
    if (known) return known;
    const id = this.deps.runtime.sessionIdOf(name);
    if (!id || !this.running || this.gone.has(name)) return undefined;
    const w: Watched = {
      id,
      name,
      agent: undefined,
      lastOutput: performance.now(),
      state: undefined,
      settleTimer: undefined,
      idleTimer: undefined,
      queue: Promise.resolve(),
    };
    this.watched.set(name, w);
    return w;
  }

  /** A session's stream opened: it is `idle` if it stays silent. */
  private started(name: string): void {
    const w = this.entry(name);
    if (w) this.armIdle(w);
  }

  /** A pane wrote: note when, and read the screen once output settles. Cheap: called on every write. */
  private output(name: string): void {
    const w = this.entry(name);
    if (!w) return;
    w.lastOutput = performance.now();
    w.settleTimer ??= setTimeout(() => this.settle(w), this.settleMs);
    this.armIdle(w);
  }

  private settle(w: Watched): void {
    w.settleTimer = undefined;
    const quiet = performance.now() - w.lastOutput;
    if (quiet < this.settleMs) {
      // Still flowing: at work. Looked at again once it stops.
      if (w.state !== 'working') this.enqueue(w, () => this.apply(w, { state: 'working' }));
      w.settleTimer = setTimeout(() => this.settle(w), this.settleMs - quiet);
      return;
    }
    this.enqueue(w, () => this.read(w, true));
  }

  /** Arms the idle timer unless armed: when it fires, `idleMs` without output since means idle. */
  private armIdle(w: Watched): void {
    if (w.idleTimer || this.idleMs === 0) return;
    const due = Math.max(0, w.lastOutput + this.idleMs - performance.now());
    w.idleTimer = setTimeout(() => {
      w.idleTimer = undefined;
      if (performance.now() - w.lastOutput < this.idleMs) return this.armIdle(w);
      // A waiting agent keeps waiting: being quiet is what waiting looks like.
      if (w.state !== 'waiting' && w.state !== 'idle')
        this.enqueue(w, () => this.apply(w, { state: 'idle' }, ['starting', 'working']));
    }, due);
  }

  /** Reads the screen and applies what its agent's detector makes of it. */
  private async read(w: Watched, afterOutput: boolean): Promise<void> {
    w.agent ??= (await this.deps.store.getSession(w.id))?.launch?.agent ?? 'generic';
    // Any other command has no detector: its screen is not read at all.
    const reading: ScreenReading =
      w.agent === 'generic' ? { state: 'unknown' } : readScreen(AGENT_SCREENS[w.agent], await this.deps.runtime.screen(w.name));
    const change = stateOfReading(reading, afterOutput);
    if (change) await this.apply(w, change);
  }

  private async apply(w: Watched, change: AgentStateChange, from?: readonly AgentState[]): Promise<void> {
    const session = await this.deps.sessions.agentStates.set(w.id, change, from ? { from } : {});
    w.state = session.agentState ?? undefined;
  }

  /** Runs `work` after the session's earlier writes; a session that ended or went is forgotten. */
  private enqueue(w: Watched, work: () => Promise<void>): void {
    w.queue = w.queue.then(work).catch((err: unknown) => {
      if (isAlreadyGone(err) || (err instanceof MaestroError && err.code === 'conflict')) return this.forget(w);
      this.deps.log.warn({ err, sessionId: w.id }, 'agent state not recorded');
    });
  }

  private forgetId(id: string): void {
    const name = this.deps.runtime.sessionName(id);
    this.gone.add(name);
    if (this.gone.size > GONE_KEPT) this.gone.delete(this.gone.values().next().value as string);
    const w = this.watched.get(name);
    if (w) this.forget(w);
  }

  private forget(w: Watched): void {
    clearTimeout(w.settleTimer);
    clearTimeout(w.idleTimer);
    if (this.watched.get(w.name) === w) this.watched.delete(w.name);
  }
}
