import { isDeepStrictEqual } from 'node:util';
import type { AgentState, Session, WaitingFor } from '../../domain/index.js';
import type { CoreDeps } from '../deps.js';
import { requireLive } from './session-records.js';
import type { SessionWrites } from './session-writes.js';

/** A live agent's next state: any but `exited` (which only an end makes), with its question when waiting. */
export type AgentStateChange =
  | { state: Exclude<AgentState, 'exited' | 'waiting'> }
  | { state: 'waiting'; waitingFor: WaitingFor };

/**
 * The agent state of live sessions (docs/design.md §Agent state): one write path for the screen
 * watcher and the agents' own reports (hooks), so every move appends exactly one
 * `session:agent_state` and a repeat appends nothing.
 */
export class AgentStates {
  constructor(
    private readonly deps: CoreDeps,
    private readonly writes: Pick<SessionWrites, 'mutate'>,
  ) {}

  /**
   * Moves a live session's agent to `change.state` (and what it waits for), appending
   * `session:agent_state {id, from, to, at, version, waitingFor}`. The same state with the same
   * question changes nothing and appends nothing. Not activity: output, which is, is counted by the
   * reconciler (docs/design.md §Lifecycle guarantees (G2)); `activity: true` makes it count (an
   * agent's own report). With `from`, the move is made only from one of those states (a quiet
   * screen makes a working agent idle, never a waiting one).
   * @throws NotFoundError; ConflictError once the session has ended
   */
  async set(
    id: string,
    change: AgentStateChange,
    opts: { activity?: boolean; from?: readonly AgentState[] } = {},
  ): Promise<Session> {
    const waitingFor = change.state === 'waiting' ? change.waitingFor : null;
    return this.writes.mutate(
      id,
      (s) => {
        requireLive(s);
        if (s.agentState === change.state && isDeepStrictEqual(s.waitingFor, waitingFor)) return s;
        if (opts.from && !opts.from.includes(s.agentState ?? 'starting')) return s;
        return { ...s, agentState: change.state, agentStateSince: new Date(this.deps.clock.now()).toISOString(), waitingFor };
      },
      { activity: opts.activity ? 'touch' : false, eventType: 'session:agent_state', skipUnchanged: true },
    );
  }
}
