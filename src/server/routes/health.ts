import type { FastifyInstance } from 'fastify';
import type { Services } from '../services.js';
import { mount } from './mount.js';

/** Seconds between `fromMs` and `toMs` (both ms since the epoch), rounded to 0.1 s; null when `fromMs` is null. */
const ageSecs = (fromMs: number | null, toMs: number) => (fromMs === null ? null : Math.round((toMs - fromMs) / 100) / 10);

/**
 * `GET /api/health`: whether all is well (`ok`, false with the `problems` named: the runtime could
 * not be checked, a background loop fails), liveness, storage engine, event sequence, session metrics (total, active,
 * by status, oldest / newest / average age of active sessions in seconds), the runtime (host, tmux
 * socket, whether the last reconcile pass could check tmux), the last sweep, and the background loops
 * failing now (`failingLoops`: loop, since, failures in a row, last message).
 */
export function healthRoutes(
  app: FastifyInstance,
  { store, sessions, sweeper, reconciler, loops, election, runtimeInfo, clock }: Services,
): void {
  mount(app, 'GET /api/health', async () => {
    await sessions.expireDue();
    const [stats, seq] = [await store.sessionStats(), await store.lastSeq()];
    const now = clock.now();
    const last = sweeper.lastReport;
    const reconcile = reconciler.lastReport;
    const failingLoops = loops.failures();
    const problems = [
      ...(reconcile && !reconcile.checked ? [`the runtime could not be checked: ${reconcile.error ?? 'unknown error'}`] : []),
      ...failingLoops.map((f) => `the ${f.loop} loop is failing: ${f.message}`),
    ];
    return {
      ok: problems.length === 0,
      problems,
      engine: store.engine,
      leader: election.isLeader,
      seq,
      sessions: {
        total: stats.total,
        active: stats.active,
        byStatus: stats.byStatus,
        byAgentState: stats.byAgentState,
        oldestAgeSecs: ageSecs(stats.oldestActiveCreatedAt, now),
        newestAgeSecs: ageSecs(stats.newestActiveCreatedAt, now),
        averageAgeSecs: ageSecs(stats.meanActiveCreatedAt, now),
      },
      runtime: {
        kind: 'tmux',
        host: runtimeInfo.host,
        tmuxSocket: runtimeInfo.tmuxSocket,
        lastReconcile: reconcile
          ? {
              checked: reconcile.checked,
              error: reconcile.error ?? null,
              durationMs: Math.round(reconcile.durationMs * 100) / 100,
            }
          : null,
      },
      lastSweep: last
        ? { at: last.at, durationMs: Math.round(last.durationMs * 100) / 100, timedOut: last.timedOut, purged: last.purged }
        : null,
      failingLoops,
    };
  });
}
