import type { SessionSummary } from '../../src/client/index.js';

/** The badge a session shows first: what its agent does, or how it ended. */
export type BadgeState = 'working' | 'waiting' | 'idle' | 'starting' | 'paused' | 'ended' | 'unknown';

/** The state shown for session `s`: an ended session is `ended` whatever its agent did; a paused one `paused`. */
export function badgeState(s: Pick<SessionSummary, 'agentState' | 'status' | 'completedAt'>): BadgeState {
  if (s.completedAt !== undefined && s.completedAt !== null) return 'ended';
  if (s.status === 'paused') return 'paused';
  if (s.agentState === null || s.agentState === 'exited') return 'unknown';
  return s.agentState;
}

/**
 * The state badge (docs/design.md §Agent state): waiting stands out, working is live, the rest are
 * quiet; a wait says its reason, an end its reason.
 */
export function StateBadge({
  summary: s,
}: {
  summary: Pick<SessionSummary, 'agentState' | 'status' | 'completedAt' | 'waitingReason' | 'endReason'>;
}) {
  const state = badgeState(s);
  const detail =
    state === 'waiting' && s.waitingReason ? `: ${s.waitingReason}` : state === 'ended' && s.endReason ? `: ${s.endReason}` : '';
  return (
    <span className={`badge state-${state}`} data-agent-state={state}>
      {state === 'unknown' ? s.status : state}
      {detail}
    </span>
  );
}
