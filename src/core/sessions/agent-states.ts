import { isDeepStrictEqual } from 'node:util';
import type { AgentState, Session, WaitingFor } from '../../domain/index.js';
import type { CoreDeps } from '../deps.js';
import { requireLive } from './session-records.js';
import type { SessionWrites } from './session-writes.js';

/** A live agent's next state: any but `exited` (which only an end makes), with its question when waiting. */
export type AgentStateChange =
  | { state: Exclude<AgentState, 'exited' | 'waiting'> }
  | { state: 'waiting'; waitingFor: WaitingFor };

/** Who says what the agent does: its own hooks, or the screen watcher's reading of its terminal. */
export type AgentStateSource = 'hook' | 'screen';

/** How long an agent's hook report outranks what its screen shows, in milliseconds (docs/design.md §Hooks). */
export const HOOK_PRECEDENCE_MS = 10 * 60 * 1000;

/** Options of {@link AgentStates.set}. */
export interface SetAgentStateOptions {
  /** The report counts as activity (an agent's own report). */
  activity?: boolean;
  /** Make the move only from one of these states. */
  from?: readonly AgentState[];
  /** Who says so; default `screen`. A hook's word holds against the screen for {@link HOOK_PRECEDENCE_MS}. */
  source?: AgentStateSource;
}

/**
 * The agent state of live sessions (docs/design.md §Agent state): one write path for the screen
 * watcher and the agents' own reports (hooks), so every move appends exactly one
 * `session:agent_state` and a repeat appends nothing.
 */
export class AgentStates {
  /** When each session's agent last reported through a hook (clock milliseconds). */
  private readonly hookHeard = new Map<string, number>();

  constructor(
    private readonly deps: CoreDeps,
    private readonly writes: Pick<SessionWrites, 'mutate'>,
  ) {}

  /** Whether the agent of `id` reported through a hook lately: then its screen does not move its state. */
  heardFromHooks(id: string): boolean {
    const at = this.hookHeard.get(id);
    return at !== undefined && this.deps.clock.now() - at < HOOK_PRECEDENCE_MS;
  }

  /**
   * Moves a live session's agent to `change.state` (and what it waits for), appending
   * `session:agent_state {id, from, to, at, version, waitingFor}`. The same state with the same
   * question changes nothing and appends nothing. Not activity: output, which is, is counted by the
   * reconciler (docs/design.md §Lifecycle guarantees (G2)); `activity: true` makes it count (an
   * agent's own report). With `from`, the move is made only from one of those states (a quiet
   * screen makes a working agent idle, never a waiting one). A move read from the screen is not
   * made while the agent's hooks speak for it ({@link heardFromHooks}).
   * @throws NotFoundError; ConflictError once the session has ended
   */
  async set(id: string, change: AgentStateChange, opts: SetAgentStateOptions = {}): Promise<Session> {
    const waitingFor = change.state === 'waiting' ? change.waitingFor : null;
    const source = opts.source ?? 'screen';
    if (source === 'hook') this.hookHeard.set(id, this.deps.clock.now());
    const outranked = source === 'screen' && this.heardFromHooks(id);
    return this.writes.mutate(
      id,
      (s) => {
        requireLive(s);
        if (outranked) return s;
        if (s.agentState === change.state && isDeepStrictEqual(s.waitingFor, waitingFor)) return s;
        if (opts.from && !opts.from.includes(s.agentState ?? 'starting')) return s;
        return { ...s, agentState: change.state, agentStateSince: new Date(this.deps.clock.now()).toISOString(), waitingFor };
      },
      { activity: opts.activity ? 'touch' : false, eventType: 'session:agent_state', skipUnchanged: true },
    );
  }
}
