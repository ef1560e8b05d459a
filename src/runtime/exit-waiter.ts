import { execa, type ResultPromise } from 'execa';

/**
 * Hears panes die as it happens (docs/design.md §Agent state): each Maestro session has a tmux
 * hook `pane-died` → `wait-for -S <channel>`, and one `tmux wait-for <channel>` client waits here
 * for it. A signal sent while no client waits is remembered by tmux (one), so none is missed
 * between two waits. Which pane died is for a probe to say; this only says "now".
 */
export class ExitWaiter {
  private child: ResultPromise | undefined;
  private closed = false;
  /** `arm` was called while a wait was on: that wait may be on a server that is going away. */
  private armAgain = false;
  private readonly listeners = new Set<() => void>();

  /**
   * @param command the tmux client and its socket arguments (`['tmux', '-L', socket]`)
   * @param channel the wait-for channel the hooks signal
   */
  constructor(
    private readonly command: readonly [string, ...string[]],
    readonly channel: string,
    private readonly env: Record<string, string | undefined>,
  ) {}

  /** Subscribes to exit notices; returns the unsubscribe function. */
  onExit(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Waits (again) unless a wait is on. Called whenever a session starts: with no tmux server there
   * is nothing to wait on, and the wait ends, to be armed by the next start.
   */
  arm(): void {
    if (this.closed) return;
    if (this.child) {
      this.armAgain = true;
      return;
    }
    const [bin, ...args] = this.command;
    const child = execa(bin, [...args, 'wait-for', this.channel], { reject: false, stdin: 'ignore', env: this.env });
    this.child = child;
    void child.then((result) => {
      this.child = undefined;
      if (this.closed) return;
      // 0: signalled, or the server went away (its sessions with it): either way, look now.
      if (result.exitCode === 0) for (const listener of this.listeners) listener();
      // A session started meanwhile may be on a new server, which this wait never reached.
      const again = result.exitCode === 0 || this.armAgain;
      this.armAgain = false;
      if (again) this.arm();
    });
  }

  /** Stops waiting; idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    const child = this.child;
    child?.kill();
    await child;
  }
}
