/**
 * Sends SIGTERM to each process group led by `pids` (a tmux pane's command leads its own group),
 * then SIGKILL to any group still alive after `graceMs` milliseconds. Groups already gone are
 * skipped. Does not wait: the SIGKILL timer does not keep the process alive.
 */
export function killProcessGroups(pids: number[], graceMs: number): void {
  const alive = pids.filter((pid) => signalGroup(pid, 'SIGTERM'));
  if (alive.length === 0) return;
  const timer = setTimeout(() => {
    for (const pid of alive) signalGroup(pid, 'SIGKILL');
  }, graceMs);
  timer.unref();
}

/** Signals the process group `pid`; false when it no longer exists. */
function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}
