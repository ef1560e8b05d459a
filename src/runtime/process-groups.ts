import { execa } from 'execa';

/**
 * Sends SIGTERM to each process group led by `pids` (a tmux pane's command leads its own group),
 * then SIGKILL to any group still alive after `graceMs` milliseconds. Groups already gone are
 * skipped. Does not wait: the SIGKILL timer does not keep the process alive.
 */
export function killProcessGroups(pids: number[], graceMs: number): void {
  const alive = pids.filter((pid) => signalGroup(pid, 'SIGTERM'));
  // A stopped group (a paused session) only acts on SIGTERM once continued.
  signalProcessGroups(alive, 'SIGCONT');
  if (alive.length === 0) return;
  const timer = setTimeout(() => {
    for (const pid of alive) signalGroup(pid, 'SIGKILL');
  }, graceMs);
  timer.unref();
}

/**
 * Stops (SIGSTOP) every process of the group led by `leader` except the leader itself. tmux
 * resumes (SIGCONT to the whole group) a pane whose own process stops — only SIGTTIN and SIGTTOU
 * are left alone, and those are discarded in a pane's orphaned group — so Maestro runs each
 * command under a waiting `sh` leader and stops what is below it (docs/design.md §Pause). The
 * members are listed with `pgrep -g`.
 */
export async function stopBelowLeader(leader: number): Promise<number> {
  const listed = await execa('pgrep', ['-g', String(leader)], { reject: false });
  const members = listed.stdout
    .split('\n')
    .map(Number)
    .filter((pid) => Number.isInteger(pid) && pid > 1 && pid !== leader);
  let stopped = 0;
  for (const pid of members) {
    try {
      process.kill(pid, 'SIGSTOP');
      stopped++;
    } catch {
      // Gone since the listing.
    }
  }
  return stopped;
}

/** Sends `signal` to each process group led by `pids`; groups already gone are skipped. */
export function signalProcessGroups(pids: number[], signal: NodeJS.Signals): void {
  for (const pid of pids) signalGroup(pid, signal);
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
