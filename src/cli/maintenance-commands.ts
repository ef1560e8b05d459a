import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import type { CleanupReport, Health, UsageSummary } from '../client/index.js';
import { clientFor, globals } from './context.js';
import { emit, fields, table, tokensText } from './output.js';

/** Sessions purged per request, so the progress bar moves on large purges. */
const STEP = 1000;
/** Purges at least this large get a progress bar. */
const BAR_FROM = 2 * STEP;

const prettyCleanup = (r: CleanupReport) =>
  [
    `${r.dryRun ? 'would time out' : 'timed out'}: ${r.timedOut}`,
    ...r.timedOutIds.slice(0, 50).map((id) => `  ${id}`),
    `${r.dryRun ? 'would purge' : 'purged'}: ${r.purged}`,
    ...r.purgedIds.slice(0, 50).map((id) => `  ${id}`),
    ...(r.dryRun ? [] : [`events pruned from the log: ${r.eventsPruned}`]),
  ].join('\n');

const prettyHealth = (h: Health & { usage: UsageSummary }) =>
  [
    fields([
      ['status', h.ok ? 'ok' : `NOT OK: ${h.problems.join('; ')}`],
      ['engine', h.engine],
      ['event seq', h.seq],
      ['sessions', h.sessions.total],
      ['active', h.sessions.active],
      [
        'agents',
        Object.entries(h.sessions.byAgentState)
          .map(([state, n]) => `${n} ${state}`)
          .join(', ') || null,
      ],
      ['oldest active', h.sessions.oldestAgeSecs === null ? null : `${h.sessions.oldestAgeSecs}s`],
      ['newest active', h.sessions.newestAgeSecs === null ? null : `${h.sessions.newestAgeSecs}s`],
      ['average age', h.sessions.averageAgeSecs === null ? null : `${h.sessions.averageAgeSecs}s`],
      [
        'last sweep',
        h.lastSweep
          ? `${h.lastSweep.at}: ${h.lastSweep.timedOut} timed out, ${h.lastSweep.purged} purged in ${h.lastSweep.durationMs} ms`
          : null,
      ],
      ...h.failingLoops.map((f): [string, string] => [
        `${f.loop} FAILING`,
        `since ${f.since}, ${f.failures} pass${f.failures === 1 ? '' : 'es'} in a row: ${f.message}`,
      ]),
    ]),
    '',
    table(
      ['STATUS', 'SESSIONS'],
      Object.entries(h.sessions.byStatus).map(([status, n]) => [status, String(n)]),
    ),
    '',
    `tokens: ${tokensText(h.usage.total.tokens)}; estimated cost $${h.usage.total.costUsd.toFixed(2)} (${h.usage.total.sessions} sessions)`,
    ...(h.usage.byProject.length > 0
      ? [
          '',
          table(
            ['PROJECT', 'SESSIONS', 'TOKENS', 'COST'],
            h.usage.byProject.map((p) => [p.projectId, String(p.sessions), tokensText(p.tokens), `$${p.costUsd.toFixed(2)}`]),
          ),
        ]
      : []),
  ].join('\n');

/** `maestro cleanup` and `maestro metrics`. */
export function maintenanceCommands(program: Command): void {
  program
    .command('cleanup')
    .description('sweep now: end sessions idle past the timeout, purge ended sessions past retention')
    .option('--dry-run', 'list what would go, change nothing')
    .action(async (opts, cmd: Command) => {
      const client = clientFor(cmd);
      const { output } = globals(cmd);
      const plan = await client.maintenance.cleanup({ dryRun: true });
      if (opts.dryRun) return emit(output, plan, prettyCleanup);
      const bar =
        output === 'pretty' && plan.purged >= BAR_FROM && process.stderr.isTTY
          ? new SingleBar({ stream: process.stderr, format: 'purging [{bar}] {value}/{total} sessions' })
          : undefined;
      bar?.start(plan.purged, 0);
      let total: CleanupReport | undefined;
      for (;;) {
        const step = await client.maintenance.cleanup({ limit: STEP });
        total = total
          ? {
              ...step,
              timedOut: total.timedOut + step.timedOut,
              purged: total.purged + step.purged,
              eventsPruned: total.eventsPruned + step.eventsPruned,
              durationMs: total.durationMs + step.durationMs,
              timedOutIds: [...total.timedOutIds, ...step.timedOutIds],
              purgedIds: [...total.purgedIds, ...step.purgedIds],
            }
          : step;
        bar?.update(Math.min(total.purged, plan.purged));
        if (step.purged < STEP) break;
      }
      bar?.stop();
      emit(output, total, prettyCleanup);
    });

  program
    .command('metrics')
    .description('show session metrics (health); --prometheus prints the /metrics text')
    .option('--prometheus', 'print the Prometheus exposition instead')
    .action(async (opts, cmd: Command) => {
      const client = clientFor(cmd);
      if (opts.prometheus) {
        process.stdout.write(await client.metrics());
        return;
      }
      const [health, usage] = await Promise.all([client.health(), client.usage()]);
      emit(globals(cmd).output, { ...health, usage }, prettyHealth);
    });
}
