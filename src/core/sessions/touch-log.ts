import type { Logger } from 'pino';
import type { Clock } from '../clock.js';

/**
 * Logs touches in batches (docs/design.md §Lifecycle guarantees (G8)): heartbeats can arrive many times a second per
 * session, so instead of a line each, one line per `intervalMs` milliseconds (of the injected
 * clock) lists how many touches each session had.
 */
export class TouchLog {
  private counts = new Map<string, number>();
  private since: number;

  constructor(
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly intervalMs = 10_000,
  ) {
    this.since = clock.now();
  }

  /** Counts a touch of `sessionId`; writes the batch when the interval has passed. */
  record(sessionId: string): void {
    this.counts.set(sessionId, (this.counts.get(sessionId) ?? 0) + 1);
    if (this.clock.now() - this.since >= this.intervalMs) this.flush();
  }

  /** Writes what was counted since the last batch, if anything. */
  flush(): void {
    if (this.counts.size > 0) {
      const touches = Object.fromEntries(this.counts);
      this.log.info({ touches, sessions: this.counts.size, sinceMs: this.clock.now() - this.since }, 'sessions touched');
    }
    this.counts = new Map();
    this.since = this.clock.now();
  }
}
