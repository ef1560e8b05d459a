/**
 * A session's status as people read it: `paused (process stopped)` for a paused session whose
 * processes Maestro stopped (it runs in tmux and has not ended), else the status itself. Shared by
 * the CLI and the dashboard. No schema here: the dashboard bundles this without zod.
 */
export function sessionStatusLabel(s: {
  status: string;
  completedAt: string | null;
  runtime: { kind: string; tmuxSession: string | null };
}): string {
  return s.status === 'paused' && s.completedAt === null && s.runtime.kind === 'tmux' && s.runtime.tmuxSession !== null
    ? 'paused (process stopped)'
    : s.status;
}

/**
 * A session's agent state as people read it (docs/design.md §Agent state): the state, with the
 * reason when it waits (`waiting: permission`); `-` for a session with no agent to watch.
 */
export function agentStateLabel(s: { agentState: string | null; waitingFor: { reason: string } | null }): string {
  if (s.agentState === null) return '-';
  return s.agentState === 'waiting' && s.waitingFor ? `waiting: ${s.waitingFor.reason}` : s.agentState;
}
