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
