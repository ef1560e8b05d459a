import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { LoopMonitor } from '../core/loops/loop-monitor.js';
import type { Reconciler } from '../core/loops/reconciler.js';
import type { Sweeper } from '../core/loops/sweeper.js';
import type { SessionService } from '../core/sessions/sessions.js';
import { AGENT_STATES, SESSION_STATUSES } from '../domain/index.js';
import type { SessionStats, Store } from '../store/index.js';

/**
 * Prometheus metrics (prom-client) on a registry of their own. Gauges are read from the store at
 * scrape time; counters follow the committed event log, so they count what really happened.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly unsubscribe: (() => void)[] = [];

  constructor(store: Store, sessions: SessionService, sweeper: Sweeper, reconciler: Reconciler, loops: LoopMonitor) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'maestro_' });

    // One store read per scrape, shared by the gauges that need it.
    let pending: Promise<SessionStats> | undefined;
    const stats = (): Promise<SessionStats> => {
      pending ??= sessions
        .expireDue()
        .then(() => store.sessionStats())
        .finally(() => setImmediate(() => (pending = undefined)));
      return pending;
    };
    new Gauge({
      name: 'maestro_sessions',
      help: 'Sessions stored, by status',
      labelNames: ['status'],
      registers,
      async collect() {
        const { byStatus } = await stats();
        for (const status of SESSION_STATUSES) this.set({ status }, byStatus[status] ?? 0);
      },
    });
    new Gauge({
      name: 'maestro_sessions_agent_state',
      help: 'Live sessions by what their agent is doing (starting, working, waiting for its user, idle)',
      labelNames: ['state'],
      registers,
      async collect() {
        const { byAgentState } = await stats();
        for (const state of AGENT_STATES) if (state !== 'exited') this.set({ state }, byAgentState[state] ?? 0);
      },
    });
    new Gauge({
      name: 'maestro_sessions_active',
      help: 'Sessions not ended',
      registers,
      async collect() {
        this.set((await stats()).active);
      },
    });
    const created = new Counter({ name: 'maestro_sessions_created_total', help: 'Sessions created', registers });
    const ended = new Counter({
      name: 'maestro_sessions_ended_total',
      help: 'Sessions ended, by reason',
      labelNames: ['reason'],
      registers,
    });
    const deleted = new Counter({ name: 'maestro_sessions_deleted_total', help: 'Sessions deleted by a user', registers });
    const purged = new Counter({
      name: 'maestro_sessions_purged_total',
      help: 'Ended sessions purged after their retention',
      registers,
    });
    const sweepDuration = new Histogram({
      name: 'maestro_sweep_duration_seconds',
      help: 'Duration of sweeper passes',
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
      registers,
    });
    const lastSweep = new Gauge({
      name: 'maestro_sweep_last_timestamp_seconds',
      help: 'When the last sweep ran (Unix seconds)',
      registers,
    });

    const reconcileDuration = new Histogram({
      name: 'maestro_reconcile_duration_seconds',
      help: 'Duration of reconcile passes',
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers,
    });
    const unchecked = new Counter({
      name: 'maestro_reconcile_unchecked_total',
      help: 'Reconcile passes that could not check tmux (nothing was ended)',
      registers,
    });
    const orphans = new Counter({
      name: 'maestro_reconcile_orphans_killed_total',
      help: 'Maestro-owned tmux sessions killed for having no live record',
      registers,
    });

    new Gauge({
      name: 'maestro_loop_failing',
      help: 'Whether a background loop (sweeper, scheduler, reconciler, leader election) is failing its passes: 1 failing, 0 not',
      labelNames: ['loop'],
      registers,
      collect() {
        for (const { loop, failing } of loops.states()) this.set({ loop }, failing ? 1 : 0);
      },
    });

    const tokens = new Counter({
      name: 'maestro_tokens_total',
      help: 'Tokens agents used, read from their transcripts, by kind (input, output, cacheRead, cacheWrite) and model',
      labelNames: ['kind', 'model'],
      registers,
    });
    const cost = new Counter({
      name: 'maestro_cost_usd_total',
      help: 'Estimated cost of those tokens, US dollars, by model (the price table of src/core/agents/prices.ts)',
      labelNames: ['model'],
      registers,
    });

    this.unsubscribe.push(
      sessions.reports.onUsage((delta) => {
        for (const [kind, n] of Object.entries(delta.tokens)) if (n > 0) tokens.inc({ kind, model: delta.model }, n);
        if (delta.costUsd > 0) cost.inc({ model: delta.model }, delta.costUsd);
      }),
      reconciler.onReport((report) => {
        reconcileDuration.observe(report.durationMs / 1000);
        if (!report.checked) unchecked.inc();
        orphans.inc(report.orphansKilled.length);
      }),
      store.onEvents((events) => {
        for (const event of events) {
          if (event.type === 'session:created') created.inc();
          else if (event.type === 'session:ended') ended.inc({ reason: String(event.data.endReason) });
          else if (event.type === 'session:deleted') (event.data.reason === 'purged' ? purged : deleted).inc();
          else if (event.type === 'sessions:ended')
            ended.inc({ reason: String(event.data.reason) }, (event.data.sessions as unknown[]).length);
          else if (event.type === 'sessions:purged') purged.inc((event.data.sessions as unknown[]).length);
        }
      }),
      sweeper.onSweep((report) => {
        sweepDuration.observe(report.durationMs / 1000);
        lastSweep.set(Date.parse(report.at) / 1000);
      }),
    );
  }

  /** The metrics in Prometheus text format. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  /** Stops following events and sweeps. */
  close(): void {
    for (const off of this.unsubscribe.splice(0)) off();
    this.registry.clear();
  }
}
