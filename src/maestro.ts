import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { type Clock, systemClock } from './core/clock.js';
import { ENV_VARS, type MaestroConfig, transcriptDir } from './core/config.js';
import { EventStream } from './core/event-stream.js';
import { AgentWatcher } from './core/loops/agent-watcher.js';
import { LeaderElection } from './core/loops/leader.js';
import { Loop } from './core/loops/loop.js';
import { LoopMonitor } from './core/loops/loop-monitor.js';
import { Reconciler } from './core/loops/reconciler.js';
import { Scheduler } from './core/loops/scheduler.js';
import { Sweeper } from './core/loops/sweeper.js';
import { ProjectService } from './core/projects/projects.js';
import { TaskService } from './core/projects/tasks.js';
import { withoutPassword } from './core/redact.js';
import type { GitInspector, Runtime } from './core/runtime.js';
import { SessionService } from './core/sessions/sessions.js';
import { createLogger } from './log.js';
import { GitCli } from './runtime/git.js';
import { TmuxSessionManager } from './runtime/tmux.js';
import { buildApp } from './server/app.js';
import { accessPolicy, requireTokenOffLoopback } from './server/auth.js';
import { Metrics } from './server/metrics.js';
import type { Services } from './server/services.js';
import { claimDatabase, openStore, type Store } from './store/index.js';

/**
 * The small hook program's path (a shell script; `maestro-hook.js` beside it is its fallback): beside `src/` when run from the sources, beside `dist/cli/` when
 * run from the bundle, so one level up or two.
 */
const HOOK_PROGRAM = ['../bin/maestro-hook', '../../bin/maestro-hook']
  .map((path) => fileURLToPath(new URL(path, import.meta.url)))
  .find((path) => existsSync(path));

/** Parts a caller may replace (tests inject a manual clock, a quiet logger, a failing runtime). */
export interface MaestroParts {
  clock?: Clock;
  log?: Logger;
  runtime?: Runtime;
  git?: GitInspector;
}

/** A wired Maestro: store, services, background loops and the HTTP app. */
export interface Maestro {
  config: MaestroConfig;
  app: FastifyInstance;
  services: Services;
  reconciler: Reconciler;
  /** What each agent of this node is doing, from its terminal (started by `listen`). */
  watcher: AgentWatcher;
  sweeper: Sweeper;
  scheduler: Scheduler;
  log: Logger;
  /** Starts the background loops and listens on `config.host:config.port`; resolves to the base URL. */
  listen(): Promise<string>;
  /**
   * Graceful, bounded shutdown in reverse order of start-up: stop the loops, close the HTTP server
   * and its sockets, close the database. The first error is rethrown after every step ran.
   */
  close(): Promise<void>;
}

/** The composition root: wires every layer from the resolved configuration. */
export async function createMaestro(config: MaestroConfig, parts: MaestroParts = {}): Promise<Maestro> {
  requireTokenOffLoopback(config.host, config.token);
  const log = parts.log ?? createLogger(config.logLevel, config.logFormat);
  const clock = parts.clock ?? systemClock;
  // Before opening: a second server on the same SQLite file stops here, before migrating it.
  const claim = claimDatabase(config.db);
  // This node's name (recorded with its sessions, and the tmux runtime's host), and the lease's
  // holder: that name and a per-process id (a restart is a new holder).
  const nodeName = config.nodeName || hostname();
  const holder = `${nodeName}/${randomUUID()}`;
  const store: Store = await openStore(config.db, { holder, leaderLeaseMs: config.leaderLeaseSecs * 1000 }).catch(
    (err: unknown) => {
      claim.release();
      throw err;
    },
  );
  const runtime =
    parts.runtime ??
    new TmuxSessionManager({
      socket: config.tmuxSocket,
      owner: await store.instanceId(),
      // The server's own secrets never reach tmux, nor so any agent.
      hiddenEnv: [ENV_VARS.token, ENV_VARS.db],
      host: nodeName,
      logDir: transcriptDir(config),
      logMaxBytes: config.logMaxBytes,
      onError: (err, context) => log.warn({ err, context }, 'runtime failure in the background'),
    });
  const git = parts.git ?? new GitCli();
  const loops = new LoopMonitor({ store, clock, log });
  const deps = { store, clock, log, loops };
  // Where this node answers: its bind address (loopback for the wildcard) and port.
  const boundUrl = (port: string | number) => `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`;
  let publicUrl = boundUrl(config.port);
  const sessions = new SessionService(
    { ...deps, runtime, git },
    {
      maxSessions: config.maxSessions,
      maxSessionsPerProject: config.maxSessionsPerProject,
      maxChildren: config.maxChildren,
      sessionTimeoutSecs: config.sessionTimeoutSecs,
      sessionTimeoutWarningSecs: config.sessionTimeoutWarningSecs,
      sessionPausedTimeoutSecs: config.sessionPausedTimeoutSecs,
      nodeTimeoutSecs: config.nodeTimeoutSecs,
      nodeLostSecs: config.nodeLostSecs,
      retentionSecs: config.retentionSecs,
      token: config.token,
      hookProgram: HOOK_PROGRAM ? [HOOK_PROGRAM] : [],
      // Beside the hook program; none when that was not found (a bundle run from elsewhere).
      mcpProgram: HOOK_PROGRAM ? [process.execPath, join(dirname(HOOK_PROGRAM), 'maestro.js'), 'mcp'] : [],
      get publicUrl() {
        return publicUrl;
      },
    },
  );
  // Other nodes reach this one (to forward requests about its sessions) where it says it answers.
  const advertised = () => config.advertiseUrl || publicUrl;
  const reconciler = new Reconciler({ ...deps, runtime, sessions }, config.reconcileIntervalMs, advertised);
  const watcher = new AgentWatcher({ ...deps, runtime, sessions }, { idleSecs: config.idleSecs });
  const sweeper = new Sweeper({ ...deps, sessions }, config.cleanupIntervalSecs * 1000, {
    eventRetention: config.eventRetention,
  });
  const projects = new ProjectService({ ...deps, sessions });
  const scheduler = new Scheduler(
    { ...deps, projects, sessions },
    {
      intervalMs: config.schedulerIntervalSecs * 1000,
      maxRunningProjects: config.maxRunningProjects,
      projectStuckSecs: config.projectStuckSecs,
    },
  );
  // Unreachable → lost on the leader's own clock, not inside a sweep (which may be minutes apart).
  const lostNodes = new Loop(
    'lost-node check',
    config.leaderIntervalMs,
    () => sessions.nodes.endSessionsOfLostNodes(),
    log,
    loops,
  );
  const election = new LeaderElection(
    { ...deps, leadership: store.leadership },
    [sweeper, scheduler, lostNodes],
    config.leaderIntervalMs,
  );
  const metrics = new Metrics(store, sessions, sweeper, reconciler, loops);
  const services: Services = {
    store,
    projects,
    tasks: new TaskService(deps),
    sessions,
    events: new EventStream(store),
    sweeper,
    reconciler,
    loops,
    election,
    runtimeInfo: { host: runtime.host, tmuxSocket: config.tmuxSocket, nodeTimeoutSecs: config.nodeTimeoutSecs },
    metrics,
    clock,
  };
  const app = await buildApp(services, log, accessPolicy(config.host, config.token, config.allowedOrigins, config.allowedHosts));

  return {
    config,
    app,
    services,
    reconciler,
    watcher,
    sweeper,
    scheduler,
    log,
    async listen() {
      const address = await app.listen({ host: config.host, port: config.port });
      const { port } = new URL(address);
      publicUrl = boundUrl(port);
      reconciler.start();
      await watcher.start();
      election.start();
      log.info(
        {
          url: publicUrl,
          node: runtime.host,
          advertiseUrl: advertised(),
          db: withoutPassword(config.db),
          engine: store.engine,
          tmuxSocket: config.tmuxSocket,
        },
        'maestro listening',
      );
      return publicUrl;
    },
    async close() {
      const steps: [string, () => Promise<unknown>][] = [
        ['leader election', () => election.stop()],
        ['agent watcher', () => watcher.stop()],
        ['reconciler', () => reconciler.stop()],
        ['http', () => app.close()],
        ['touch log', async () => sessions.flushTouchLog()],
        ['metrics', async () => metrics.close()],
        ['runtime', () => runtime.close()],
        ['store', () => store.close()],
        ['database claim', async () => claim.release()],
      ];
      let first: unknown;
      for (const [name, step] of steps) {
        try {
          await step();
        } catch (err) {
          log.error({ err, step: name }, 'shutdown step failed');
          first ??= err;
        }
      }
      if (first) throw first;
    },
  };
}
