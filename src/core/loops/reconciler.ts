import { performance } from 'node:perf_hooks';
import { type EndReason, isAlreadyGone } from '../../domain/index.js';
import type { CoreDeps } from '../deps.js';
import type { Runtime } from '../runtime.js';
import type { SessionService } from '../sessions/sessions.js';
import { Loop } from './loop.js';

/** What one reconcile pass concluded. */
export interface ReconcileReport {
  /** False when the runtime could not be checked; then nothing was changed. */
  checked: boolean;
  error?: string;
  /** How long the pass took, in milliseconds (wall time). */
  durationMs: number;
  /** Live records whose runtime was gone or whose command had exited, now ended. */
  ended: { sessionId: string; reason: EndReason; exitCode: number | null }[];
  /** Runtime sessions Maestro owns with no live record, now killed. */
  orphansKilled: string[];
  /** On the first pass after start-up: live records whose runtime is still running, taken back under watch. */
  adopted: string[];
  /** Live sessions whose tmux activity moved their `lastActivityAt` forward. */
  active: string[];
  /** Live sessions warned that their inactivity timeout is near (`session:timeout_warning`). */
  warned: string[];
}

/**
 * How long to wait for tmux to collect the exit status of a dead pane before ending its session
 * without one, in milliseconds (wall time). tmux sees the terminal close before it reaps the child;
 * under load the gap was seen to last over two seconds.
 */
const EXIT_STATUS_WAIT_MS = 15_000;
/** After an exit notice, when passes look again, in milliseconds (wall time). */
const EXIT_NOTICE_LOOKS_MS = [150, 600];
/** How soon a pass looks again at a pane dead without its exit status, in milliseconds (wall time). */
const EXIT_RECHECK_MS = 100;

/**
 * Keeps stored state true to the runtime, in both directions (docs/design.md §Lifecycle guarantees (G6)). Each pass
 * lists the runtime's sessions with one call, then:
 * - ends every live record whose command exited (`terminal_closed`, with its exit code) or whose
 *   runtime session is gone (`lost`);
 * - kills every runtime session Maestro owns that has no live record (its whole process group);
 * - on the first pass, re-adopts live records whose runtime survived a restart of the server;
 * - counts tmux's own activity time as activity (docs/design.md §Lifecycle guarantees (G2)).
 * A failed listing ("could not check": server unreachable, timeout) ends and kills nothing.
 */
export class Reconciler {
  private readonly loop: Loop;
  /** Sessions seen dead without an exit status yet, and since when (performance.now() milliseconds). */
  private readonly exitPending = new Map<string, number>();
  private readonly listeners = new Set<(report: ReconcileReport) => void>();
  private firstPassDone = false;
  private offExit: (() => void) | undefined;
  private exitRecheck: NodeJS.Timeout | undefined;
  private readonly lookAgain = new Set<NodeJS.Timeout>();
  private last: ReconcileReport | undefined;

  constructor(
    private readonly deps: CoreDeps & { runtime: Runtime; sessions: SessionService },
    intervalMs: number,
    /** Where this node answers, written with its heartbeat (other nodes forward terminals to it). */
    private readonly nodeUrl?: () => string,
  ) {
    this.loop = new Loop('reconciler', intervalMs, () => this.reconcile(), deps.log, deps.loops);
  }

  /**
   * Starts reconciling every interval, the first pass at once, and at once whenever the runtime
   * tells that a pane died (docs/design.md §Agent state: an exit is noticed by event, the interval
   * is the safety net); idempotent.
   */
  start(): void {
    // A notice may come a moment before tmux marks the pane dead (the pane's own leader sends one as
    // its command exits): look now, and twice more shortly after.
    this.offExit ??= this.deps.runtime.notices.onExit(() => {
      this.loop.wake();
      for (const ms of EXIT_NOTICE_LOOKS_MS) {
        const timer = setTimeout(() => {
          this.lookAgain.delete(timer);
          this.loop.wake();
        }, ms);
        this.lookAgain.add(timer);
      }
    });
    this.loop.start();
  }

  /** Stops, waiting for an in-flight pass; idempotent. */
  stop(): Promise<void> {
    this.offExit?.();
    this.offExit = undefined;
    clearTimeout(this.exitRecheck);
    for (const timer of this.lookAgain) clearTimeout(timer);
    this.lookAgain.clear();
    return this.loop.stop();
  }

  /** The last pass's report, if any pass ran. */
  get lastReport(): ReconcileReport | undefined {
    return this.last;
  }

  /** Subscribes to pass reports; returns the unsubscribe function. */
  onReport(listener: (report: ReconcileReport) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Runs one pass now. @throws only on storage failure (the loop logs and goes on) */
  async reconcile(): Promise<ReconcileReport> {
    const started = performance.now();
    const { runtime, store, sessions, log } = this.deps;
    // Records are read before the listing (to judge what is gone) and again after it (to judge what
    // is orphaned), so a session spawned meanwhile is never mistaken for either.
    // A heartbeat says this node is alive; other nodes show its sessions unreachable without one.
    await store.transaction((tx) => tx.heartbeat(runtime.host, this.deps.clock.now(), this.nodeUrl?.()));
    const before = await store.listActiveRuntimes(runtime.host);
    const probe = await runtime.probe();
    const report: ReconcileReport = {
      checked: probe.ok,
      durationMs: 0,
      ended: [],
      orphansKilled: [],
      adopted: [],
      active: [],
      warned: [],
    };
    if (!probe.ok) {
      report.error = probe.error;
      log.warn({ error: probe.error }, 'reconcile skipped: could not check the runtime');
      return this.finish(report, started);
    }
    const firstPass = !this.firstPassDone;
    this.firstPassDone = true;

    // Output seen in this pass, written at once after it (one transaction for every busy agent).
    const activity: { id: string; atMs: number }[] = [];
    for (const record of before) {
      if (sessions.spawner.isStarting(record.id)) continue;
      const seen = probe.sessions.get(record.tmuxSession);
      if (seen?.exitPending) {
        const since = this.exitPending.get(record.id) ?? performance.now();
        this.exitPending.set(record.id, since);
        if (performance.now() - since < EXIT_STATUS_WAIT_MS) continue;
      }
      this.exitPending.delete(record.id);
      if (seen && !seen.dead) {
        if (firstPass) {
          report.adopted.push(record.id);
          log.info({ sessionId: record.id, tmuxSession: record.tmuxSession, pid: seen.pid }, 'reconcile: session re-adopted');
        }
        if (seen.activityAt >= record.lastActivityAt + sessions.expiry.activityGranularityMs) {
          activity.push({ id: record.id, atMs: seen.activityAt });
          report.active.push(record.id);
        }
        continue;
      }
      const verdict = seen
        ? { reason: 'terminal_closed' as const, exitCode: seen.exitCode }
        : { reason: 'lost' as const, exitCode: null };
      if (seen && verdict.exitCode === null)
        log.warn({ sessionId: record.id, tmuxSession: record.tmuxSession }, 'command exited but tmux reported no exit status');
      if (await this.endQuietly(record.id, verdict.reason, verdict.exitCode)) {
        log.info({ sessionId: record.id, tmuxSession: record.tmuxSession, ...verdict }, 'reconcile: session ended');
        report.ended.push({ sessionId: record.id, ...verdict });
      }
    }

    await sessions.recordRuntimeActivities(activity);

    // Live ones near their inactivity timeout are warned (this node's; once per activity time).
    report.warned = await sessions.expiry.warnDue(
      before.filter((r) => !report.ended.some((e) => e.sessionId === r.id) && !report.active.includes(r.id)),
    );

    // Sessions handled above (ended and killed by `end`) are not orphans either.
    const owned = new Set([...before, ...(await store.listActiveRuntimes(runtime.host))].map((r) => r.tmuxSession));
    for (const name of probe.sessions.keys()) {
      if (owned.has(name) || sessions.spawner.isStartingRuntime(name)) continue;
      await runtime.kill(name);
      report.orphansKilled.push(name);
      log.info({ tmuxSession: name, reason: 'no live record' }, 'reconcile: orphaned tmux session killed');
    }
    return this.finish(report, started);
  }

  private finish(report: ReconcileReport, started: number): ReconcileReport {
    report.durationMs = performance.now() - started;
    // A pane dead without its exit status yet: look again soon, not at the next interval.
    if (this.exitPending.size > 0 && !this.exitRecheck)
      this.exitRecheck = setTimeout(() => {
        this.exitRecheck = undefined;
        this.loop.wake();
      }, EXIT_RECHECK_MS);
    this.last = report;
    for (const listener of this.listeners) listener(report);
    return report;
  }

  /** Ends a session; false when someone else ended or deleted it since the listing. */
  private async endQuietly(id: string, reason: EndReason, exitCode: number | null): Promise<boolean> {
    try {
      await this.deps.sessions.end(id, reason, { exitCode });
      return true;
    } catch (err) {
      if (isAlreadyGone(err)) return false;
      throw err;
    }
  }
}
