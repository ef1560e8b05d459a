import { dirname, join, resolve } from 'node:path';

/**
 * Resolved configuration: every field present, in the units named. Built by `resolveConfig` from
 * the environment and `serve` flags; all defaults live in {@link DEFAULTS}.
 */
export interface MaestroConfig {
  host: string;
  port: number;
  /** SQLite file path, or a `postgres://` URL. */
  db: string;
  /** tmux `-L` socket name. */
  tmuxSocket: string;
  /** Inactivity timeout, in seconds. */
  sessionTimeoutSecs: number;
  /** How long before an inactivity timeout `session:timeout_warning` goes out, in seconds; 0: none. */
  sessionTimeoutWarningSecs: number;
  /** Inactivity timeout of a paused session (its processes stopped), in seconds; 0: never. */
  sessionPausedTimeoutSecs: number;
  /** At most this many non-terminal sessions. */
  maxSessions: number;
  /** At most this many non-terminal sessions in one project; 0 means no per-project limit. */
  maxSessionsPerProject: number;
  /** At most this many live sessions an orchestrating session (its own token) may have started. */
  maxChildren: number;
  /** Sweeper interval, in seconds. */
  cleanupIntervalSecs: number;
  /** How long ended sessions are kept, in seconds; 0 deletes on end. */
  retentionSecs: number;
  /** Reconciler interval, in milliseconds. */
  reconcileIntervalMs: number;
  /** Scheduler interval, in seconds (it also runs at once on any project or session end). */
  schedulerIntervalSecs: number;
  /** At most this many projects started by the scheduler run at once. */
  maxRunningProjects: number;
  /** A project the scheduler started with no live session for this long is failed, in seconds. */
  projectStuckSecs: number;
  /** How often a node tries to become (or checks it still is) the leader, in milliseconds. */
  leaderIntervalMs: number;
  /**
   * How long the leader lease lasts from each renewal, in seconds: a frozen or cut-off leader is
   * replaced within this plus one leader interval. Longer than the leader interval.
   */
  leaderLeaseSecs: number;
  /** A node silent this long is down and its live sessions are shown unreachable, in seconds. */
  nodeTimeoutSecs: number;
  /** The live sessions of a node down this long are ended as lost (by the leader), in seconds. */
  nodeLostSecs: number;
  /** Newest events kept in the log (older ones are pruned by the sweeper); 0 keeps every event. */
  eventRetention: number;
  /** An agent whose screen stays unchanged this long is `idle`, in seconds; 0: never idle. */
  idleSecs: number;
  /** Directory of the sessions' transcripts; empty: `logs` beside the SQLite file (`.maestro/logs` with PostgreSQL). */
  logDir: string;
  /** Bound of one session's transcript, in bytes (rotated). */
  logMaxBytes: number;
  /** Log level (pino). */
  logLevel: string;
  /** `pretty` (readable lines), `json` (one JSON object a line) or `auto`: pretty on a terminal, JSON otherwise. */
  logFormat: string;
  /** Shared secret every request must carry; empty means none (then only loopback addresses may be bound). */
  token: string;
  /** Comma-separated browser origins allowed besides the server's own (`scheme://host:port`). */
  allowedOrigins: string;
  /** Comma-separated host names the server answers to besides loopback ones (the `Host` header; DNS rebinding). */
  allowedHosts: string;
  /**
   * Where other nodes reach this one (`http://host:port`, written with its heartbeat): they forward
   * the requests about its sessions there. Empty: its bind address and port.
   */
  advertiseUrl: string;
  /** This node's name, recorded with the sessions it runs; empty: the machine's host name. */
  nodeName: string;
}

/** Raw options: what a user may give, each optional. */
export type MaestroOptions = Partial<MaestroConfig>;

/** Every default, in one place (docs/design.md §Configuration). */
export const DEFAULTS: MaestroConfig = {
  host: '127.0.0.1',
  port: 7420,
  db: '.maestro/maestro.db',
  tmuxSocket: 'maestro',
  sessionTimeoutSecs: 3600,
  sessionTimeoutWarningSecs: 300,
  sessionPausedTimeoutSecs: 0,
  maxSessions: 100,
  maxSessionsPerProject: 0,
  maxChildren: 10,
  cleanupIntervalSecs: 300,
  retentionSecs: 604_800,
  reconcileIntervalMs: 1000,
  schedulerIntervalSecs: 60,
  maxRunningProjects: 1,
  projectStuckSecs: 600,
  leaderIntervalMs: 5000,
  leaderLeaseSecs: 15,
  nodeTimeoutSecs: 30,
  nodeLostSecs: 300,
  eventRetention: 100_000,
  idleSecs: 30,
  logDir: '',
  logMaxBytes: 5 * 1024 * 1024,
  logLevel: 'info',
  logFormat: 'auto',
  token: '',
  allowedOrigins: '',
  allowedHosts: '',
  advertiseUrl: '',
  nodeName: '',
};

/** Environment variable of each option (docs/design.md §Configuration). */
export const ENV_VARS: Record<keyof MaestroConfig, string> = {
  host: 'MAESTRO_HOST',
  port: 'MAESTRO_PORT',
  db: 'MAESTRO_DB',
  tmuxSocket: 'MAESTRO_TMUX_SOCKET',
  sessionTimeoutSecs: 'SESSION_TIMEOUT_SECS',
  sessionTimeoutWarningSecs: 'SESSION_TIMEOUT_WARNING_SECS',
  sessionPausedTimeoutSecs: 'SESSION_PAUSED_TIMEOUT_SECS',
  maxSessions: 'SESSION_MAX_CONCURRENT',
  maxSessionsPerProject: 'SESSION_MAX_PER_PROJECT',
  maxChildren: 'MAESTRO_MAX_CHILDREN',
  cleanupIntervalSecs: 'SESSION_CLEANUP_INTERVAL',
  retentionSecs: 'SESSION_RETENTION_SECS',
  reconcileIntervalMs: 'MAESTRO_RECONCILE_INTERVAL_MS',
  schedulerIntervalSecs: 'MAESTRO_SCHEDULER_INTERVAL',
  maxRunningProjects: 'MAESTRO_MAX_RUNNING_PROJECTS',
  projectStuckSecs: 'MAESTRO_PROJECT_STUCK_SECS',
  leaderIntervalMs: 'MAESTRO_LEADER_INTERVAL_MS',
  leaderLeaseSecs: 'MAESTRO_LEADER_LEASE_SECS',
  nodeTimeoutSecs: 'MAESTRO_NODE_TIMEOUT_SECS',
  nodeLostSecs: 'MAESTRO_NODE_LOST_SECS',
  eventRetention: 'MAESTRO_EVENT_RETENTION',
  idleSecs: 'MAESTRO_IDLE_SECS',
  logDir: 'MAESTRO_LOG_DIR',
  logMaxBytes: 'MAESTRO_LOG_MAX_BYTES',
  logLevel: 'MAESTRO_LOG_LEVEL',
  logFormat: 'MAESTRO_LOG_FORMAT',
  token: 'MAESTRO_TOKEN',
  allowedOrigins: 'MAESTRO_ALLOWED_ORIGINS',
  allowedHosts: 'MAESTRO_ALLOWED_HOSTS',
  advertiseUrl: 'MAESTRO_ADVERTISE_URL',
  nodeName: 'MAESTRO_NODE_NAME',
};

/**
 * Old names still read, each for the option it became: `env`, its old environment variable, and
 * `flag`, its old key in `serve`'s flags (the flag `--public-url`). The new name wins when both
 * are given; {@link deprecatedNamesUsed} says which old ones were.
 */
export const DEPRECATED_NAMES: readonly { key: keyof MaestroConfig; env: string; flag: string }[] = [
  { key: 'advertiseUrl', env: 'MAESTRO_PUBLIC_URL', flag: 'publicUrl' },
];

const NUMERIC: ReadonlySet<keyof MaestroConfig> = new Set([
  'port',
  'sessionTimeoutSecs',
  'sessionTimeoutWarningSecs',
  'sessionPausedTimeoutSecs',
  'maxSessions',
  'maxSessionsPerProject',
  'maxChildren',
  'cleanupIntervalSecs',
  'retentionSecs',
  'reconcileIntervalMs',
  'schedulerIntervalSecs',
  'maxRunningProjects',
  'projectStuckSecs',
  'leaderIntervalMs',
  'leaderLeaseSecs',
  'nodeTimeoutSecs',
  'nodeLostSecs',
  'eventRetention',
  'idleSecs',
  'logMaxBytes',
]);

/** An environment value, or undefined when unset or empty (an empty variable counts as unset). */
const given = (value: string | undefined): string | undefined => (value === '' ? undefined : value);

/**
 * Merges flags over environment over defaults. Flags win; at each level a current name wins over
 * its deprecated one ({@link DEPRECATED_NAMES}).
 * @param flags options given on the command line (strings or numbers)
 * @param env the process environment
 * @throws Error naming the variable or flag when a numeric value is not a non-negative integer
 */
export function resolveConfig(flags: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): MaestroConfig {
  const config: Record<string, unknown> = { ...DEFAULTS };
  for (const key of Object.keys(DEFAULTS) as (keyof MaestroConfig)[]) {
    const old = DEPRECATED_NAMES.find((d) => d.key === key);
    const flag = [key, old?.flag].find((name) => name !== undefined && flags[name] !== undefined);
    const variable = [ENV_VARS[key], old?.env].find((name) => name !== undefined && given(env[name]) !== undefined);
    const raw = flag ? flags[flag] : variable ? env[variable] : undefined;
    if (raw === undefined) continue;
    if (NUMERIC.has(key)) {
      const n = typeof raw === 'number' ? raw : Number(raw);
      if (!Number.isInteger(n) || n < 0) {
        const source = flag ? `option ${flag}` : variable;
        throw new Error(`${source}: expected a non-negative integer, got ${JSON.stringify(raw)}`);
      }
      config[key] = n;
    } else {
      config[key] = String(raw);
    }
  }
  const resolved = config as unknown as MaestroConfig;
  // A lease renewed less often than it lasts would lapse between renewals: leadership would flap.
  if (resolved.leaderLeaseSecs * 1000 <= resolved.leaderIntervalMs)
    throw new Error(
      `${ENV_VARS.leaderLeaseSecs} (${resolved.leaderLeaseSecs} s) must be longer than ${ENV_VARS.leaderIntervalMs} (${resolved.leaderIntervalMs} ms)`,
    );
  return resolved;
}

/**
 * What to tell the user of each old name {@link resolveConfig} read (its new name), one line each;
 * empty when none was given.
 * @param flags and `env` as given to {@link resolveConfig}
 */
export function deprecatedNamesUsed(flags: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): string[] {
  return DEPRECATED_NAMES.flatMap(({ key, env: oldEnv, flag }) => [
    ...(given(env[oldEnv]) === undefined ? [] : [`${oldEnv} is deprecated: use ${ENV_VARS[key]}`]),
    ...(flags[flag] === undefined ? [] : [`--${kebab(flag)} is deprecated: use --${kebab(key)}`]),
  ]);
}

/** A flag's name from its key: `advertiseUrl` → `advertise-url`. */
export const kebab = (key: string): string => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/**
 * The transcripts' directory, absolute: `logDir` when given, else `logs` beside the SQLite file,
 * or `.maestro/logs` in the working directory with PostgreSQL.
 */
export function transcriptDir(config: Pick<MaestroConfig, 'logDir' | 'db'>): string {
  if (config.logDir) return resolve(config.logDir);
  if (/^postgres(ql)?:\/\//.test(config.db)) return resolve('.maestro', 'logs');
  return join(dirname(resolve(config.db)), 'logs');
}
