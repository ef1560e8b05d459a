import { performance } from 'node:perf_hooks';
import type { SweepReport } from '../../domain/index.js';
import type { CoreDeps } from '../deps.js';

import type { SessionService } from '../sessions/sessions.js';
import { Loop } from './loop.js';

/** Options of one sweep. */
export interface SweepOptions {
  /** Report what would go, change nothing. */
  dryRun?: boolean;
  /** Purge at most this many sessions in this sweep (the CLI sweeps in steps to show progress). */
  purgeLimit?: number;
  /** Called with the running purge count after each batch. */
  onProgress?: (purged: number) => void;
}

/**
 * The sweeper (docs/design.md §Lifecycle guarantees (G3, G4)): every `intervalMs` milliseconds it ends sessions idle
 * past the inactivity timeout (`timed_out`, tmux killed) and purges sessions ended longer than the
 * retention ago, with the cascade of a delete. Also runs on demand.
 */
export class Sweeper {
  private readonly loop: Loop;
  private readonly listeners = new Set<(report: SweepReport) => void>();
  private last: SweepReport | undefined;

  /**
   * @param intervalMs time between sweeps, in milliseconds
   * @param options `eventRetention`: newest events kept in the log; 0 (default) keeps every event
   */
  constructor(
    private readonly deps: CoreDeps & { sessions: SessionService },
    intervalMs: number,
    private readonly options: { eventRetention?: number } = {},
  ) {
    this.loop = new Loop('sweeper', intervalMs, () => this.sweep(), deps.log, deps.loops);
  }

  /** Starts sweeping every interval (first sweep at once); idempotent. */
  start(): void {
    this.loop.start();
  }

  /** Stops, waiting for an in-flight sweep; idempotent. */
  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** The last sweep that changed or could have changed something (not dry runs), if any. */
  get lastReport(): SweepReport | undefined {
    return this.last;
  }

  /** Subscribes to sweep reports; returns the unsubscribe function. */
  onSweep(listener: (report: SweepReport) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * One sweep now.
   * @throws when storage fails (the loop logs it and goes on)
   */
  async sweep(options: SweepOptions = {}): Promise<SweepReport> {
    const { sessions, clock, log } = this.deps;
    const at = new Date(clock.now()).toISOString();
    const started = performance.now();
    const dryRun = options.dryRun ?? false;
    const timedOut = await sessions.expiry.expireInactive({ dryRun });
    const purged = await sessions.expiry.purgeEnded({ dryRun, limit: options.purgeLimit, onProgress: options.onProgress });
    const lostNodes = dryRun ? [] : await sessions.nodes.endSessionsOfLostNodes();
    const eventsPruned = dryRun ? 0 : await this.pruneEvents();
    const report: SweepReport = {
      at,
      durationMs: performance.now() - started,
      dryRun,
      timedOut: timedOut.count,
      purged: purged.count,
      timedOutIds: timedOut.ids,
      purgedIds: purged.ids,
      worktreesKept: purged.worktreesKept ?? [],
      lostNodeSessions: lostNodes,
      eventsPruned,
    };
    log.info(
      {
        timedOut: report.timedOut,
        purged: report.purged,
        eventsPruned,
        durationMs: Math.round(report.durationMs * 10) / 10,
        dryRun,
      },
      'sweep done',
    );
    if (!dryRun) {
      this.last = report;
      for (const listener of this.listeners) listener(report);
    }
    return report;
  }

  /** Keeps the newest `eventRetention` events: the log is the stream's replay buffer, not an archive. */
  private async pruneEvents(): Promise<number> {
    const keep = this.options.eventRetention ?? 0;
    if (keep === 0) return 0;
    // Inside the transaction, so the bound is the log's end as the delete sees it.
    return this.deps.store.transaction(async (tx) => {
      const through = (await tx.lastSeq()) - keep;
      return through > 0 ? tx.pruneEvents(through) : 0;
    });
  }
}
