import {
  FINISHED_PROJECT_STATUSES,
  isAlreadyGone,
  LimitExceededError,
  type MaestroEvent,
  type Project,
} from '../../domain/index.js';
import type { CoreDeps } from '../deps.js';
import type { ProjectService } from '../projects/projects.js';
import type { SessionService } from '../sessions/sessions.js';
import { Loop } from './loop.js';

/** Options of the {@link Scheduler}. */
export interface SchedulerOptions {
  /** Time between passes, in milliseconds. */
  intervalMs: number;
  /** At most this many projects started by the scheduler run at once. */
  maxRunningProjects: number;
  /** A project the scheduler started with no live session and none ended for this long is failed, in seconds. */
  projectStuckSecs: number;
}

/** What one scheduler pass did. */
export interface SchedulerReport {
  /** Projects finished by hand in the database, now cleaned up. */
  finalized: string[];
  /** Sessions of finished projects still live before the dequeue, now ended. */
  lingeringEnded: number;
  /** Projects whose sessions all ended, now completed or failed. */
  completed: string[];
  /** Projects stuck running without a live session, now failed. */
  stuck: string[];
  /** Projects started. */
  started: string[];
  paused: boolean;
}

/** Events after which the queue may move: a session or a project ended or was deleted, or a project was queued. */
const WAKE_ON = new Set<MaestroEvent['type']>([
  'session:ended',
  'sessions:ended',
  'session:deleted',
  'sessions:purged',
  'project:queued',
  'project:completed',
  'project:failed',
  'project:cancelled',
  'project:deleted',
  'queue:resumed',
]);

/**
 * Drains the project queue (docs/design.md §Project queue and scheduler). Every interval, and at once after any session
 * or project ends, a pass: finishes projects whose status was written by hand, ends lingering
 * sessions of finished projects, completes scheduled projects whose sessions all ended, fails
 * projects stuck without one, then — unless paused — starts queued projects (highest priority,
 * oldest first, dequeued atomically) while fewer than `maxRunningProjects` run, spawning each
 * one's `agentCommand`.
 */
export class Scheduler {
  private readonly loop: Loop;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly deps: CoreDeps & { projects: ProjectService; sessions: SessionService },
    private readonly options: SchedulerOptions,
  ) {
    this.loop = new Loop('scheduler', options.intervalMs, () => this.schedule(), deps.log, deps.loops);
  }

  /** Starts the loop and listens for wake-up events; idempotent. */
  start(): void {
    this.unsubscribe ??= this.deps.store.onEvents((events) => {
      if (events.some((e) => WAKE_ON.has(e.type))) this.loop.wake();
    });
    this.loop.start();
  }

  /** Stops, waiting for an in-flight pass; idempotent. */
  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    await this.loop.stop();
  }

  /** Runs a pass soon. */
  wake(): void {
    this.loop.wake();
  }

  /** One pass now. @throws on storage failure (the loop logs it and goes on) */
  async schedule(): Promise<SchedulerReport> {
    const { store, projects, log } = this.deps;
    const report: SchedulerReport = { finalized: [], lingeringEnded: 0, completed: [], stuck: [], started: [], paused: false };

    // One read for the whole pass: a pass runs after every session that ends, so under load it
    // must not cost a write transaction when nothing is queued.
    const seen = await store.listProjectsByStatus([...FINISHED_PROJECT_STATUSES, 'running', 'queued']);
    const finished = seen.filter((p) => (FINISHED_PROJECT_STATUSES as readonly string[]).includes(p.status));
    for (const p of finished) {
      if (p.completedAt === null) {
        await projects.finish(p.id, p.status as 'completed', p.statusReason ?? 'status set in the database');
        report.finalized.push(p.id);
      }
      // Pre-dequeue clean-up: a finished project keeps no live session.
      report.lingeringEnded += await projects.endSessionsOf(p.id);
    }

    for (const p of seen) {
      if (p.status === 'running' && p.scheduled) await this.checkRunning(p, report);
    }

    // A project queued after the read above wakes the scheduler again (`project:queued`).
    const queued = seen.some((p) => p.status === 'queued');
    report.paused = await projects.isPaused();
    while (queued && !report.paused && (await store.countScheduledRunning()) < this.options.maxRunningProjects) {
      const next = await projects.startNext();
      if (!next) break;
      if (!(await this.launch(next))) break;
      report.started.push(next.id);
    }
    if (
      report.finalized.length + report.lingeringEnded + report.completed.length + report.stuck.length + report.started.length >
      0
    ) {
      log.info({ ...report }, 'scheduler pass');
    }
    return report;
  }

  /** Completes a scheduled project whose sessions all ended; fails one stuck without any. */
  private async checkRunning(p: Project, report: SchedulerReport): Promise<void> {
    const { sessions: service, projects, clock } = this.deps;
    const { sessions } = await service.list({ projectId: p.id, limit: 1000 });
    if (sessions.some((s) => s.completedAt === null)) return;
    const last = sessions[0]; // newest first
    if (last) {
      await projects.finish(
        p.id,
        last.status === 'completed' ? 'completed' : 'failed',
        `last session ${last.id} ended: ${last.endReason}`,
      );
      report.completed.push(p.id);
      return;
    }
    const since = Date.parse(p.startedAt ?? p.updatedAt);
    if (clock.now() - since > this.options.projectStuckSecs * 1000) {
      await projects.finish(p.id, 'failed', `no live session for ${this.options.projectStuckSecs} s`);
      report.stuck.push(p.id);
    }
  }

  /** Spawns a started project's agent; false when the session limit is full (the project goes back to the queue). */
  private async launch(p: Project): Promise<boolean> {
    if (!p.agentCommand) return true;
    try {
      await this.deps.sessions.spawn({ projectId: p.id, command: p.agentCommand, name: p.name });
      return true;
    } catch (err) {
      if (err instanceof LimitExceededError) {
        await this.deps.projects.requeue(p.id, 'waiting for a free session slot');
        return false;
      }
      if (isAlreadyGone(err)) return true;
      const reason = `could not start its agent: ${err instanceof Error ? err.message : String(err)}`;
      await this.deps.projects.finish(p.id, 'failed', reason);
      return true;
    }
  }
}
