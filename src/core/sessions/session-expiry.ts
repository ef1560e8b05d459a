import { type EndReason, isAlreadyGone, type KeptWorktree, type Session } from '../../domain/index.js';
import type { CoreDeps } from '../deps.js';
import type { GitInspector, Runtime, Worktree } from '../runtime.js';
import { endSessionsInTx, purgeSessionsInTx, type SessionEnder } from './session-lifecycle.js';
import { releaseWorktree, worktreeOf } from './worktrees.js';

/**
 * How long a remembered earliest deadline is trusted, in milliseconds. Bounds how late a read on
 * this node sees a session that another node wrote with an older activity time (an import, a
 * lagging clock): one index seek per second at most under any load.
 */
const DEADLINE_TRUST_MS = 1000;
/**
 * Runtime activity (output of a session's pane) moves `lastActivityAt` only when it is at least
 * this much newer, in milliseconds, at most: an agent printing every second then writes once in
 * 10 s, not every second.
 */
export const RUNTIME_ACTIVITY_GRANULARITY_MS = 10_000;

/** Sessions handled per transaction by the bulk timeout and purge passes. */
const BATCH = 10_000;
/** Ids listed by a dry run, at most. */
const DRY_RUN_LIST = 1000;

/** What a timeout or purge pass did (or, in a dry run, would do). */
export interface PassResult {
  /** How many sessions it concerned. */
  count: number;
  /** Their ids (at most 1000 in a dry run). */
  ids: string[];
  /** Worktrees of purged sessions kept because they held uncommitted or unmerged work. */
  worktreesKept?: KeptWorktree[];
}

/** Options of {@link SessionExpiry.purgeEnded}. */
export interface PurgeOptions {
  /** Report what would go, change nothing. */
  dryRun?: boolean;
  /** Purge at most this many in this call. */
  limit?: number;
  /** Called with the running count after each batch. */
  onProgress?: (done: number) => void;
}

/**
 * Inactivity timeouts and retention purges (docs/design.md §Lifecycle guarantees (G3, G4)), in bulk: the
 * sweeper's two passes, and the check every read and write makes first.
 */
export class SessionExpiry {
  /** The in-flight expiry pass started by a read, shared by concurrent readers. */
  private expiring: Promise<void> | undefined;
  /** No live session can be due before this time (ms since the epoch), as read at {@link noneDueCheckedAt}. */
  private noneDueBefore = Number.NEGATIVE_INFINITY;
  private noneDueCheckedAt = Number.POSITIVE_INFINITY;
  /** Sessions warned of their timeout, with the activity time they were warned at. */
  private readonly warned = new Map<string, number>();

  /**
   * @param options `sessionTimeoutSecs` and `retentionSecs`, in seconds
   * @param lifecycle ends one session with its runtime (output kept, tmux killed)
   */
  constructor(
    private readonly deps: CoreDeps & { git: GitInspector; runtime: Pick<Runtime, 'sessionName' | 'removeTranscript'> },
    private readonly options: {
      sessionTimeoutSecs: number;
      sessionTimeoutWarningSecs?: number;
      /** A paused session times out after this many seconds without activity; 0 or absent: never. */
      sessionPausedTimeoutSecs?: number;
      retentionSecs: number;
    },
    private readonly lifecycle: SessionEnder,
  ) {}

  /**
   * Ends every non-terminal session idle longer than the inactivity timeout with `timed_out`
   * (docs/design.md §Lifecycle guarantees (G3)); a paused one only past `sessionPausedTimeoutSecs`,
   * when set. Sessions without a runtime are ended in bulk; tmux-backed ones one by
   * one, so their output is kept and their tmux session killed. With `dryRun`, changes nothing and
   * reports what would go.
   */
  async expireInactive(options: { dryRun?: boolean } = {}): Promise<PassResult> {
    const now = this.deps.clock.now();
    const cutoff = now - this.options.sessionTimeoutSecs * 1000;
    const pausedCutoff = this.pausedTimeoutMs > 0 ? now - this.pausedTimeoutMs : undefined; // undefined: never
    const { store } = this.deps;
    if (options.dryRun) {
      const [count, due] = await Promise.all([
        store.countInactiveSessions(cutoff, pausedCutoff),
        store.listInactiveSessions(cutoff, DRY_RUN_LIST, pausedCutoff),
      ]);
      return { count, ids: due.map((s) => s.id) };
    }
    const ids: string[] = [];
    for (;;) {
      const due = await store.transaction(async (tx) => {
        const batch = await tx.listInactiveSessions(cutoff, BATCH, pausedCutoff);
        await endSessionsInTx(
          tx,
          batch.filter((s) => s.runtimeKind !== 'tmux'),
          'timed_out',
          now,
        );
        return batch;
      });
      for (const s of due) {
        if (s.runtimeKind === 'tmux') await this.endUnlessGone(s.id, 'timed_out');
        ids.push(s.id);
      }
      if (due.length > 0)
        this.deps.log.info(
          { count: due.length, cutoff: new Date(cutoff).toISOString(), reason: 'timed_out' },
          'sessions timed out',
        );
      if (due.length < BATCH) break;
    }
    if (ids.length > 0 && this.options.retentionSecs === 0) await this.purgeEnded();
    return { count: ids.length, ids };
  }

  /**
   * Purges sessions ended longer than the retention ago (docs/design.md §Lifecycle guarantees (G4)), with the same
   * cascade as a delete, in batches. `onProgress` receives the running count after each batch.
   * With `dryRun`, changes nothing and reports what would go. `limit` caps how many go in this call.
   */
  async purgeEnded(options: PurgeOptions = {}): Promise<PassResult> {
    const now = this.deps.clock.now();
    const cutoff = now - this.options.retentionSecs * 1000;
    const { store } = this.deps;
    if (options.dryRun) {
      const [count, due] = await Promise.all([store.countEndedBy(cutoff), store.listEndedBy(cutoff, DRY_RUN_LIST)]);
      return { count, ids: due.map((s) => s.id) };
    }
    const limit = options.limit ?? Number.POSITIVE_INFINITY;
    const ids: string[] = [];
    const worktreesKept: KeptWorktree[] = [];
    while (ids.length < limit) {
      const { purged, worktrees } = await store.transaction(async (tx) => {
        const batch = await tx.listEndedBy(cutoff, Math.min(BATCH, limit - ids.length));
        // Worktrees are read before their sessions go; git runs after the commit.
        const found: [string, Worktree][] = [];
        for (const ref of batch.filter((r) => r.branch?.startsWith('maestro/'))) {
          const worktree = worktreeOf((await tx.getSession(ref.id)) as Session);
          if (worktree) found.push([ref.id, worktree]);
        }
        await purgeSessionsInTx(tx, batch, now);
        return { purged: batch, worktrees: found };
      });
      // Their transcripts go with them (on this node; another node's stay on its disk).
      await Promise.all(
        purged
          .filter((s) => s.runtimeKind === 'tmux')
          .map((s) => this.deps.runtime.removeTranscript(this.deps.runtime.sessionName(s.id)).catch(() => undefined)),
      );
      for (const [sessionId, worktree] of worktrees) {
        const kept = await releaseWorktree(this.deps.git, this.deps.log, sessionId, worktree);
        if (kept) worktreesKept.push(kept);
      }
      ids.push(...purged.map((s) => s.id));
      if (purged.length > 0) {
        this.deps.log.info(
          { count: purged.length, cutoff: new Date(cutoff).toISOString(), reason: 'purged' },
          'ended sessions purged',
        );
        options.onProgress?.(ids.length);
      }
      if (purged.length < BATCH) break;
    }
    return { count: ids.length, ids, worktreesKept };
  }

  /**
   * Ends due sessions before a read or write, so nothing is reported live past its deadline even
   * between sweeps. Concurrent callers share one pass. Costs nothing before the earliest deadline
   * it last saw, one index seek (the oldest activity of a live session) after it.
   *
   * Why the remembered deadline holds: activity only moves `lastActivityAt` forward and a new
   * session starts at its creation time, so no live session can fall due before
   * `min(oldest activity, now) + timeout` as read at `now`. Imported sessions keep their own
   * activity time: importing one here calls {@link forgetDeadline}. A clock that goes back (a test
   * clock, an adjusted host clock) forgets it too, and it is trusted for at most
   * {@link DEADLINE_TRUST_MS}, which bounds what other nodes' imports and clocks can hide.
   */
  async expireDue(): Promise<void> {
    if (this.expiring) return this.expiring;
    const now = this.deps.clock.now();
    const trusted = now >= this.noneDueCheckedAt && now - this.noneDueCheckedAt < DEADLINE_TRUST_MS;
    if (trusted && now < this.noneDueBefore) return;
    const timeoutMs = this.options.sessionTimeoutSecs * 1000;
    // Paused sessions have a deadline of their own, or none.
    const deadlines = [Math.min((await this.deps.store.oldestActivity()) ?? now, now) + timeoutMs];
    if (this.pausedTimeoutMs > 0)
      deadlines.push(Math.min((await this.deps.store.oldestActivity(true)) ?? now, now) + this.pausedTimeoutMs);
    const earliest = Math.min(...deadlines);
    if (earliest >= now) {
      this.noneDueBefore = earliest;
      this.noneDueCheckedAt = now;
      return;
    }
    this.expiring ??= this.expireInactive()
      .then(() => undefined)
      .finally(() => {
        this.expiring = undefined;
      });
    return this.expiring;
  }

  /** `sessionPausedTimeoutSecs` in milliseconds; 0: paused sessions never time out. */
  private get pausedTimeoutMs(): number {
    return (this.options.sessionPausedTimeoutSecs ?? 0) * 1000;
  }

  /**
   * How much newer runtime activity must be than the recorded one to be written, in milliseconds:
   * {@link RUNTIME_ACTIVITY_GRANULARITY_MS}, or a tenth of the inactivity timeout when that is
   * shorter, so a working agent never comes near its deadline (docs/design.md §Lifecycle guarantees (G2)).
   */
  get activityGranularityMs(): number {
    return Math.min(RUNTIME_ACTIVITY_GRANULARITY_MS, this.options.sessionTimeoutSecs * 100);
  }

  /**
   * Appends `session:timeout_warning {id, at}` for each of `sessions` (live ones, with their last
   * activity in ms since the epoch) whose inactivity deadline `at` is less than
   * `sessionTimeoutWarningSecs` away, once per activity time: a session that shows activity and
   * falls idle again is warned again (docs/design.md §Lifecycle guarantees (G3)). Sessions no
   * longer listed are forgotten. Returns the ids warned.
   */
  async warnDue(sessions: readonly { id: string; lastActivityAt: number; paused?: boolean }[]): Promise<string[]> {
    const warningMs = (this.options.sessionTimeoutWarningSecs ?? 0) * 1000;
    const listed = new Set(sessions.map((s) => s.id));
    for (const id of this.warned.keys()) if (!listed.has(id)) this.warned.delete(id);
    // With no warning window (0), no deadline is ever within it: nothing is due.
    const now = this.deps.clock.now();
    const deadlineOf = (s: { lastActivityAt: number; paused?: boolean }) =>
      s.paused
        ? this.pausedTimeoutMs > 0
          ? s.lastActivityAt + this.pausedTimeoutMs
          : Number.POSITIVE_INFINITY
        : s.lastActivityAt + this.options.sessionTimeoutSecs * 1000;
    const due = sessions.filter((s) => {
      const deadline = deadlineOf(s);
      return now >= deadline - warningMs && now < deadline && this.warned.get(s.id) !== s.lastActivityAt;
    });
    if (due.length === 0) return [];
    await this.deps.store.transaction((tx) =>
      tx.appendEvents(
        due.map((s) => ({
          type: 'session:timeout_warning' as const,
          data: { id: s.id, at: new Date(deadlineOf(s)).toISOString() },
        })),
        now,
      ),
    );
    for (const s of due) this.warned.set(s.id, s.lastActivityAt);
    return due.map((s) => s.id);
  }

  /** Drops the remembered earliest deadline: a live session with an older activity time was written. */
  forgetDeadline(): void {
    this.noneDueBefore = Number.NEGATIVE_INFINITY;
  }

  private async endUnlessGone(id: string, reason: EndReason): Promise<void> {
    try {
      await this.lifecycle.end(id, reason);
    } catch (err) {
      // Ended or deleted by someone else meanwhile: the goal is reached.
      if (!isAlreadyGone(err)) throw err;
    }
  }
}
