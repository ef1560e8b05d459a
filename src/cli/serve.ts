import { type Command, Option } from 'commander';
import { DEFAULTS, DEPRECATED_NAMES, deprecatedNamesUsed, ENV_VARS, kebab, resolveConfig } from '../core/config.js';
import { globals, intOption } from './context.js';

/** Longest graceful shutdown before the process exits anyway, in milliseconds. */
const SHUTDOWN_LIMIT_MS = 10_000;

/** Every `serve` flag: the configuration key it sets, its argument, and what it means (with its unit). */
const FLAGS: [key: keyof typeof DEFAULTS, flag: string, text: string, unit?: string][] = [
  ['host', '--host <host>', 'address to bind'],
  ['port', '--port <port>', 'port to listen on; 0 picks a free one'],
  ['db', '--db <path-or-url>', 'SQLite file or postgres:// URL'],
  ['tmuxSocket', '--tmux-socket <name>', 'tmux socket name (-L)'],
  ['sessionTimeoutSecs', '--session-timeout <seconds>', 'inactivity timeout', ' s'],
  ['sessionPausedTimeoutSecs', '--paused-timeout <seconds>', 'inactivity timeout of a paused session; 0 = never', ' s'],
  [
    'sessionTimeoutWarningSecs',
    '--timeout-warning <seconds>',
    'warn (session:timeout_warning) this long before a timeout; 0 = never',
    ' s',
  ],
  ['maxSessions', '--max-sessions <n>', 'most active sessions'],
  ['maxSessionsPerProject', '--max-sessions-per-project <n>', 'most active sessions in one project; 0 = no limit'],
  ['maxChildren', '--max-children <n>', 'most live sessions an orchestrating agent may have started'],
  ['cleanupIntervalSecs', '--cleanup-interval <seconds>', 'sweeper interval', ' s'],
  ['retentionSecs', '--retention <seconds>', 'keep ended sessions this long; 0 deletes on end', ' s'],
  ['reconcileIntervalMs', '--reconcile-interval <ms>', 'reconciler interval', ' ms'],
  ['schedulerIntervalSecs', '--scheduler-interval <seconds>', 'scheduler interval', ' s'],
  ['maxRunningProjects', '--max-running-projects <n>', 'most projects the scheduler runs at once'],
  ['projectStuckSecs', '--project-stuck <seconds>', 'fail a scheduled project without a live session after', ' s'],
  ['leaderIntervalMs', '--leader-interval <ms>', 'how often a node takes or renews the leader lease', ' ms'],
  ['leaderLeaseSecs', '--leader-lease <seconds>', 'how long the leader lease lasts from each renewal', ' s'],
  ['nodeTimeoutSecs', '--node-timeout <seconds>', "a silent node's sessions read unreachable after", ' s'],
  ['nodeLostSecs', '--node-lost <seconds>', "a silent node's sessions are ended lost after", ' s'],
  ['eventRetention', '--event-retention <n>', 'newest events kept in the log; 0 keeps all'],
  ['idleSecs', '--idle <seconds>', 'an agent whose screen stays unchanged this long is idle; 0 = never', ' s'],
  ['logDir', '--log-dir <dir>', "sessions' transcripts; default: logs beside the SQLite file"],
  ['logMaxBytes', '--log-max-bytes <bytes>', "bound of one session's transcript (rotated)"],
  ['logLevel', '--log-level <level>', 'pino log level'],
  ['logFormat', '--log-format <format>', 'auto (readable on a terminal, JSON otherwise), pretty or json'],
  ['allowedOrigins', '--allowed-origins <list>', 'comma-separated browser origins allowed besides its own'],
  ['allowedHosts', '--allowed-hosts <list>', 'comma-separated host names it answers to besides localhost/127.0.0.1/[::1]'],
  ['nodeName', '--node-name <name>', "this node's name, recorded with its sessions; default: the host name"],
  [
    'advertiseUrl',
    '--advertise-url <url>',
    'where other nodes reach this one (requests about its sessions are forwarded there); default: its bind address',
  ],
];

/** `maestro serve`: the server, its background loops and the dashboard. */
export function serveCommand(program: Command): void {
  const serve = program.command('serve').description('run the Maestro server (API, event stream, dashboard, reconciler)');
  const options = FLAGS.map(([key, flag, text, unit = '']) => {
    const option = new Option(flag, `${text} (env ${ENV_VARS[key]}, default ${DEFAULTS[key]}${unit})`);
    if (typeof DEFAULTS[key] === 'number') option.argParser(intOption(flag.split(' ')[0] as string));
    serve.addOption(option);
    return [key, option.attributeName()] as const;
  });
  // Old names still work, out of the help: `--public-url` sets what `--advertise-url` does.
  const deprecated = DEPRECATED_NAMES.map(({ key, flag }) => {
    const option = new Option(`--${kebab(flag)} <value>`, `deprecated: use --${kebab(key)}`).hideHelp();
    serve.addOption(option);
    return [flag, option.attributeName()] as const;
  });
  serve.action(async (opts: Record<string, unknown>, command: Command) => {
    // `--token` is global: the CLI's commands send the same token the server asks for.
    const flags = {
      ...Object.fromEntries([...options, ...deprecated].map(([key, attribute]) => [key, opts[attribute]])),
      token: globals(command).token,
    };
    const config = resolveConfig(flags);
    // Loaded here, not at the top: the other commands (hooks run on every agent step) start
    // without the server, the database drivers and the runtime.
    const { createMaestro } = await import('../maestro.js');
    const maestro = await createMaestro(config);
    for (const note of deprecatedNamesUsed(flags)) maestro.log.warn(note);
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
    const url = await maestro.listen();
    // On a terminal, say where to look; to a pipe or a file, the JSON log line says it.
    if (process.stdout.isTTY) process.stdout.write(`\n  Maestro is running. Dashboard: ${url}\n\n`);
  });
}
