import type { EventData, Session, TypedEvent } from '../../src/client/index.js';

/**
 * Session `s` after `event` (a full session, as a session page shows it): `null` when the event
 * deletes it, `s` itself when the event changes nothing of it or is older than what `s` is.
 */
export function applyToSession(s: Session, event: TypedEvent): Session | null {
  const ended = (patch: EventData<'session:ended'>): Session => {
    if (patch.id !== s.id || s.version > patch.version) return s;
    const { exitCode, ...rest } = patch;
    // An ended session's agent has exited (docs/design.md §Agent state).
    const agent =
      s.agentState === null ? {} : { agentState: 'exited' as const, agentStateSince: patch.completedAt, waitingFor: null };
    return { ...s, ...rest, ...agent, runtime: { ...s.runtime, exitCode } };
  };
  switch (event.type) {
    case 'session:created':
    case 'session:updated':
      return event.data.id === s.id && event.data.version >= s.version ? { ...event.data, output: s.output } : s;
    case 'session:agent_state': {
      const { id, to, at, version, waitingFor, lastActivityAt } = event.data;
      return id === s.id && version >= s.version
        ? { ...s, agentState: to, agentStateSince: at, waitingFor, lastActivityAt, version }
        : s;
    }
    case 'session:ended':
      return ended(event.data);
    case 'sessions:ended':
      return event.data.sessions.reduce((acc, patch) => (acc.id === patch.id ? ended(patch) : acc), s);
    case 'session:deleted':
      return event.data.id === s.id ? null : s;
    case 'sessions:purged':
      return event.data.sessions.some((p) => p.id === s.id) ? null : s;
    case 'session:task_added':
    case 'session:task_removed': {
      if (event.data.sessionId !== s.id) return s;
      const ids = s.taskIds.filter((t) => t !== event.data.taskId);
      return { ...s, taskIds: event.type === 'session:task_added' ? [...ids, event.data.taskId] : ids };
    }
    default:
      return s;
  }
}
