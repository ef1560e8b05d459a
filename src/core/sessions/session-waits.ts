import {
  type MaestroEvent,
  NotFoundError,
  type Session,
  type SessionSummary,
  sessionSummary,
  type TypedEvent,
  type WaitFor,
  type WaitResult,
} from '../../domain/index.js';
import type { CoreDeps } from '../deps.js';

/** What a session's moves say, for a wait: its agent state, whether it ended, whether it is gone. */
type Seen = { id: string; agentState?: string | null; ended?: boolean; deleted?: boolean };

/** The sessions an event is about, with what it says of each (nothing for events about no session). */
function seenIn(event: TypedEvent): Seen[] {
  switch (event.type) {
    case 'session:created':
    case 'session:updated':
      return [{ id: event.data.id, agentState: event.data.agentState, ended: event.data.completedAt !== null }];
    case 'session:agent_state':
      return [{ id: event.data.id, agentState: event.data.to }];
    case 'session:ended':
      return [{ id: event.data.id, ended: true }];
    case 'sessions:ended':
      return event.data.sessions.map((s) => ({ id: s.id, ended: true }));
    case 'session:deleted':
      return [{ id: event.data.id, deleted: true }];
    case 'sessions:purged':
      return event.data.sessions.map((s) => ({ id: s.id, deleted: true }));
    case 'session:input_sent':
    case 'session:timeout_warning':
    case 'session:finished':
      return [{ id: event.data.id }];
    case 'session:task_added':
    case 'session:task_removed':
      return [{ id: event.data.sessionId }];
    default:
      return [];
  }
}

/**
 * The state of `seen` a wait for `states` stops at, if any. An end and a deletion always stop it:
 * nothing else will ever happen to that session.
 */
function match(seen: Seen, states: readonly WaitFor[]): WaitResult['state'] | undefined {
  if (seen.deleted) return 'deleted';
  if (seen.ended) return 'ended';
  if (seen.agentState === 'waiting' && states.includes('waiting')) return 'waiting';
  if (seen.agentState === 'idle' && states.includes('idle')) return 'idle';
  if (states.includes('any')) return 'changed';
  return undefined;
}

/**
 * Waits for sessions to reach a state (docs/design.md §Waiting), from the event stream, never by
 * polling: an orchestrating agent's `wait` tool and `maestro session wait`. Listens to live events
 * first, then reads each session once, so a move between the read and the listening is never
 * missed.
 */
export class SessionWaits {
  constructor(private readonly deps: CoreDeps) {}

  /**
   * Resolves as soon as one of `ids` is in one of `states` (`waiting`, `idle`, `ended`; `any`:
   * any change after the call), or has ended or been deleted (always reported: nothing more will
   * happen to it), with its summary; or, when `signal` aborts first, with `matched: false`.
   * A session already in a state asked for matches at once (`any` waits for a change).
   * @throws NotFoundError when one of `ids` does not exist at the start
   */
  async wait(ids: readonly string[], states: readonly WaitFor[], signal: AbortSignal): Promise<WaitResult> {
    const wanted = new Set(ids);
    let settle: (result: WaitResult) => void = () => undefined;
    const done = new Promise<WaitResult>((resolve) => {
      settle = resolve;
    });
    const summaries = new Map<string, SessionSummary>();
    const found = async (id: string, state: WaitResult['state']) => {
      const session = state === 'deleted' ? undefined : await this.deps.store.getSession(id);
      settle({ matched: true, sessionId: id, state, session: session ? sessionSummary(session) : (summaries.get(id) ?? null) });
    };
    const off = this.deps.store.onEvents((events: MaestroEvent[]) => {
      for (const event of events as TypedEvent[])
        for (const seen of seenIn(event)) {
          if (!wanted.has(seen.id)) continue;
          const state = match(seen, states);
          if (state) {
            void found(seen.id, state);
            return;
          }
        }
    });
    const onAbort = () => settle({ matched: false, sessionId: null, state: null, session: null });
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      for (const id of ids) {
        const session: Session | undefined = await this.deps.store.getSession(id);
        if (!session) throw new NotFoundError('session', id);
        summaries.set(id, sessionSummary(session));
        // Already there: `any` waits for a change, the others do not wait at all.
        const state = match(
          { id, agentState: session.agentState, ended: session.completedAt !== null },
          states.filter((s) => s !== 'any'),
        );
        if (state && state !== 'changed') void found(id, state);
      }
      if (signal.aborted) onAbort();
      return await done;
    } finally {
      off();
      signal.removeEventListener('abort', onAbort);
    }
  }
}
