import type { Command } from 'commander';
import { DEFAULTS, ENV_VARS, resolveConfig } from '../core/config.js';
import { createMaestro } from '../maestro.js';
import { intOption } from './context.js';

/** Longest graceful shutdown before the process exits anyway, in milliseconds. */
const SHUTDOWN_LIMIT_MS = 10_000;

const help = (text: string, key: keyof typeof DEFAULTS, unit = '') =>
  `${text} (env ${ENV_VARS[key]}, default ${DEFAULTS[key]}${unit})`;

/** `maestro serve`: the server, its background loops and the dashboard. */
export function serveCommand(program: Command): void {
  program
    .command('serve')
    .description('run the Maestro server (API, event stream, dashboard, reconciler)')
    .option('--host <host>', help('address to bind', 'host'))
    .option('--port <port>', help('port to listen on; 0 picks a free one', 'port'), intOption('--port'))
    .option('--db <path-or-url>', help('SQLite file', 'db'))
    .option('--tmux-socket <name>', help('tmux socket name (-L)', 'tmuxSocket'))
    .option('--session-timeout <seconds>', help('inactivity timeout', 'sessionTimeoutSecs', ' s'), intOption('--session-timeout'))
    .option('--max-sessions <n>', help('most active sessions', 'maxSessions'), intOption('--max-sessions'))
    .option(
      '--max-sessions-per-project <n>',
      help('most active sessions in one project; 0 = no limit', 'maxSessionsPerProject'),
      intOption('--max-sessions-per-project'),
    )
    .option(
      '--cleanup-interval <seconds>',
      help('sweeper interval', 'cleanupIntervalSecs', ' s'),
      intOption('--cleanup-interval'),
    )
    .option(
      '--retention <seconds>',
      help('keep ended sessions this long; 0 deletes on end', 'retentionSecs', ' s'),
      intOption('--retention'),
    )
    .option(
      '--reconcile-interval <ms>',
      help('reconciler interval', 'reconcileIntervalMs', ' ms'),
      intOption('--reconcile-interval'),
    )
    .option(
      '--scheduler-interval <seconds>',
      help('scheduler interval', 'schedulerIntervalSecs', ' s'),
      intOption('--scheduler-interval'),
    )
    .option(
      '--max-running-projects <n>',
      help('most projects the scheduler runs at once', 'maxRunningProjects'),
      intOption('--max-running-projects'),
    )
    .option(
      '--project-stuck <seconds>',
      help('fail a scheduled project without a live session after', 'projectStuckSecs', ' s'),
      intOption('--project-stuck'),
    )
    .option('--leader-interval <ms>', help('leader election interval', 'leaderIntervalMs', ' ms'), intOption('--leader-interval'))
    .option(
      '--node-timeout <seconds>',
      help("a silent node's sessions read unreachable after", 'nodeTimeoutSecs', ' s'),
      intOption('--node-timeout'),
    )
    .option(
      '--node-lost <seconds>',
      help("a silent node's sessions are ended lost after", 'nodeLostSecs', ' s'),
      intOption('--node-lost'),
    )
    .option('--log-level <level>', help('pino log level', 'logLevel'))
    .action(async (opts) => {
      const config = resolveConfig({
        host: opts.host,
        port: opts.port,
        db: opts.db,
        tmuxSocket: opts.tmuxSocket,
        sessionTimeoutSecs: opts.sessionTimeout,
        maxSessions: opts.maxSessions,
        maxSessionsPerProject: opts.maxSessionsPerProject,
        cleanupIntervalSecs: opts.cleanupInterval,
        retentionSecs: opts.retention,
        reconcileIntervalMs: opts.reconcileInterval,
        schedulerIntervalSecs: opts.schedulerInterval,
        maxRunningProjects: opts.maxRunningProjects,
        projectStuckSecs: opts.projectStuck,
        leaderIntervalMs: opts.leaderInterval,
        nodeTimeoutSecs: opts.nodeTimeout,
        nodeLostSecs: opts.nodeLost,
        logLevel: opts.logLevel,
      });
      const maestro = await createMaestro(config);
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        maestro.log.info({ signal }, 'shutting down');
        const force = setTimeout(() => {
          maestro.log.error({ limitMs: SHUTDOWN_LIMIT_MS }, 'shutdown took too long; exiting');
          process.exit(1);
        }, SHUTDOWN_LIMIT_MS);
        force.unref();
        maestro.close().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.on('SIGINT', () => stop('SIGINT'));
      process.on('SIGTERM', () => stop('SIGTERM'));
      await maestro.listen();
    });
}
