import type { SessionEndedData, TypedEvent } from './event.js';
import type { SessionSummary } from './session-summary.js';
import { sessionSummary } from './summaries.js';

/**
 * Keeps a list of session summaries current from the event stream (docs/design.md §Lists): the
 * snapshot-and-stream contract of `GET /api/sessions` plus `GET /api/events?since=seq`. Applies
 * `event` to `summaries` (id → summary) in place. An event about a session the list does not hold
 * adds it only when it carries the whole session (`session:created`, `session:updated`); an older
 * version than the one held changes nothing.
 */
export function applyToSummaries(summaries: Map<string, SessionSummary>, event: TypedEvent): void {
  const current = (id: string, version: number) => {
    const held = summaries.get(id);
    return held && held.version <= version ? held : undefined;
  };
  const ended = (data: SessionEndedData) => {
    const held = current(data.id, data.version);
    if (!held) return;
    const next: SessionSummary = {
      ...held,
      status: data.status,
      completedAt: data.completedAt,
      endReason: data.endReason,
      // As a list reads an ended row: its agent has exited and waits for nothing.
      agentState: held.agentState === null ? null : 'exited',
      version: data.version,
    };
    delete next.waitingReason;
    delete next.unreachable;
    if (data.exitCode !== null) next.exitCode = data.exitCode;
    summaries.set(data.id, next);
  };
  // A deleted session's children lose their parent in the store too (no event of their own says so).
  const forget = (ids: Set<string>) => {
    for (const id of ids) summaries.delete(id);
    for (const [childId, s] of summaries)
      if (s.parentSessionId !== undefined && ids.has(s.parentSessionId)) {
        const { parentSessionId: _gone, ...rest } = s;
        summaries.set(childId, rest);
      }
  };
  const link = (sessionId: string, taskId: string, add: boolean) => {
    const held = summaries.get(sessionId);
    if (!held) return;
    const taskIds = held.taskIds.filter((t) => t !== taskId);
    summaries.set(sessionId, { ...held, taskIds: add ? [...taskIds, taskId] : taskIds });
  };
  switch (event.type) {
    case 'session:created':
    case 'session:updated': {
      const held = summaries.get(event.data.id);
      if (!held || held.version <= event.data.version) summaries.set(event.data.id, sessionSummary(event.data));
      break;
    }
    case 'session:agent_state': {
      const { id, to, version, waitingFor, lastActivityAt } = event.data;
      const held = current(id, version);
      if (!held) break;
      const next: SessionSummary = { ...held, agentState: to, lastActivityAt, version };
      if (waitingFor) next.waitingReason = waitingFor.reason;
      else delete next.waitingReason;
      summaries.set(id, next);
      break;
    }
    case 'session:ended':
      ended(event.data);
      break;
    case 'sessions:ended':
      for (const data of event.data.sessions) ended(data);
      break;
    case 'session:deleted':
      forget(new Set([event.data.id]));
      break;
    case 'sessions:purged':
      forget(new Set(event.data.sessions.map((s) => s.id)));
      break;
    case 'session:task_added':
    case 'session:task_removed':
      link(event.data.sessionId, event.data.taskId, event.type === 'session:task_added');
      break;
    default:
      // Other events change nothing a summary shows.
      break;
  }
}
