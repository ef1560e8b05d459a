import { type EndReason, MaestroError } from '../domain/index.js';
import type { CoreDeps } from './deps.js';
import { Loop } from './loop.js';
import type { Runtime } from './runtime.js';
import { RUNTIME_ACTIVITY_GRANULARITY_MS, type SessionService } from './sessions.js';

/** What one reconcile pass concluded. */
export interface ReconcileReport {
  /** False when the runtime could not be checked; then nothing was changed. */
  checked: boolean;
  error?: string;
  /** Live records whose runtime was gone or whose command had exited, now ended. */
  ended: { sessionId: string; reason: EndReason; exitCode: number | null }[];
  /** Live sessions whose tmux activity moved their `lastActivityAt` forward. */
  active: string[];
}

/**
 * Keeps stored state true to the runtime (DESIGN.md, guarantee 6): each pass lists the runtime's
 * sessions with one call, then ends every live record whose command exited (`terminal_closed`,
 * with its exit code) or whose runtime session is gone (`lost`). A failed listing ("could not
 * check") ends nothing. tmux's own activity time of a live session counts as activity (DESIGN.md,
 * guarantee 2).
 */
/** Passes to wait for the exit status of a dead pane before ending its session without one. */
const EXIT_STATUS_PASSES = 3;

export class Reconciler {
  private readonly loop: Loop;
  /** Sessions seen dead without an exit status yet, and for how many passes. */
  private readonly exitPending = new Map<string, number>();

  constructor(
    private readonly deps: CoreDeps & { runtime: Runtime; sessions: SessionService },
    intervalMs: number,
  ) {
    this.loop = new Loop('reconciler', intervalMs, () => this.reconcile(), deps.log);
  }

  /** Starts reconciling every interval; idempotent. */
  start(): void {
    this.loop.start();
  }

  /** Stops, waiting for an in-flight pass; idempotent. */
  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** Runs one pass now. @throws only on storage failure (the loop logs and goes on) */
  async reconcile(): Promise<ReconcileReport> {
    const { runtime, store, sessions, log } = this.deps;
    const probe = await runtime.probe();
    if (!probe.ok) {
      log.warn({ error: probe.error }, 'reconcile skipped: could not check the runtime');
      return { checked: false, error: probe.error, ended: [], active: [] };
    }
    const report: ReconcileReport = { checked: true, ended: [], active: [] };
    for (const record of await store.listActiveRuntimes(runtime.host)) {
      if (sessions.isStarting(record.id)) continue;
      const seen = probe.sessions.get(record.tmuxSession);
      if (seen?.exitPending) {
        const passes = (this.exitPending.get(record.id) ?? 0) + 1;
        this.exitPending.set(record.id, passes);
        if (passes < EXIT_STATUS_PASSES) continue;
      }
      this.exitPending.delete(record.id);
      const verdict: { reason: EndReason; exitCode: number | null } | undefined = !seen
        ? { reason: 'lost', exitCode: null }
        : seen.dead
          ? { reason: 'terminal_closed', exitCode: seen.exitCode }
          : undefined;
      if (!verdict) {
        if (seen && seen.activityAt >= record.lastActivityAt + RUNTIME_ACTIVITY_GRANULARITY_MS) {
          await sessions.recordRuntimeActivity(record.id, seen.activityAt);
          report.active.push(record.id);
        }
        continue;
      }
      try {
        if (seen?.dead && verdict.exitCode === null) {
          log.warn(
            { sessionId: record.id, tmuxSession: record.tmuxSession, passes: EXIT_STATUS_PASSES },
            'command exited but tmux reported no exit status',
          );
        }
        await sessions.end(record.id, verdict.reason, { exitCode: verdict.exitCode });
        log.info({ sessionId: record.id, tmuxSession: record.tmuxSession, ...verdict }, 'reconcile: session ended');
        report.ended.push({ sessionId: record.id, ...verdict });
      } catch (err) {
        // Ended or deleted by someone else since the listing: nothing left to do.
        if (err instanceof MaestroError && (err.code === 'invalid_transition' || err.code === 'not_found')) continue;
        throw err;
      }
    }
    return report;
  }
}
