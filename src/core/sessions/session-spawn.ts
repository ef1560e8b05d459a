import {
  MaestroError,
  NotFoundError,
  newId,
  parseInput,
  type Session,
  type SpawnInput,
  spawnInput,
  ValidationError,
} from '../../domain/index.js';
import { withHooks } from '../agents/hook-setup.js';
import { agentKindOf } from '../agents/index.js';
import type { CoreDeps } from '../deps.js';
import type { GitInspector, Runtime } from '../runtime.js';
import { requireDirectory } from './directories.js';
import { requireProgram } from './programs.js';
import type { SessionExpiry } from './session-expiry.js';
import type { SessionEnder } from './session-lifecycle.js';
import { newSessionRow } from './session-records.js';
import { issueSessionToken } from './session-tokens.js';
import type { SessionWrites } from './session-writes.js';
import { createWorktree, releaseWorktree, worktreeBranch } from './worktrees.js';

/** The parts of the session service that spawning builds on. */
export interface SpawnParts {
  /** Inserts the session with its task links (limits checked), and records its pid. */
  writes: Pick<SessionWrites, 'insert' | 'mutate'>;
  /** Ends it `failed` when its command cannot start. */
  lifecycle: SessionEnder;
  /** Ends due sessions before the insert, so the limit never counts one that timed out. */
  expiry: Pick<SessionExpiry, 'expireDue'>;
}

/** What spawned agents are told: where the server is, and its token when it has one. */
export interface SpawnOptions {
  /** The server's base URL, given as `MAESTRO_URL` (read at each spawn: it is known once listening). */
  readonly publicUrl: string;
  /** The server's token: when not empty, each session gets its own token derived from it as `MAESTRO_TOKEN`. */
  readonly token?: string;
  /** The small hook program (`node bin/maestro-hook.js`) wired into Codex and aider sessions. */
  readonly hookProgram?: readonly string[];
  /** Maestro's MCP server over stdio, given to orchestrating agents (`node bin/maestro.js mcp`). */
  readonly mcpProgram?: readonly string[];
}

/**
 * Starts sessions' commands in the runtime, and knows which are starting right now (the
 * reconciler leaves those alone until their runtime is up).
 */
export class SessionSpawner {
  private readonly starting = new Set<string>();

  constructor(
    private readonly deps: CoreDeps & { runtime: Runtime; git: GitInspector },
    private readonly options: SpawnOptions,
    private readonly parts: SpawnParts,
  ) {}

  /**
   * Creates a session and starts its command in the runtime, in `cwd` (default: the project's
   * repo), with `MAESTRO_SESSION_ID`, `MAESTRO_URL` (and, when the server has a token, the
   * session's own as `MAESTRO_TOKEN`, see `issueSessionToken`) in its environment. Captures the git context of the directory first. If the runtime cannot
   * start, the session is ended `failed` and the error rethrown.
   * @throws ValidationError on bad input or a missing directory; CommandNotFoundError when the
   *   program cannot run; ConflictError; LimitExceededError;
   *   MaestroError `spawn_failed` when the runtime refuses
   */
  async spawn(input: SpawnInput, options: { restartOf?: string } = {}): Promise<Session> {
    const data = parseInput(spawnInput, input, 'body');
    const project = await this.deps.store.getProject(data.projectId);
    if (!project) throw new ValidationError([{ path: 'body.projectId', message: `project ${data.projectId} does not exist` }]);
    let cwd = data.cwd ?? project.repoPath;
    await requireDirectory(cwd, data.cwd ? 'body.cwd' : 'body.projectId');
    await requireProgram(data.command[0] as string, cwd, data.env.PATH ?? process.env.PATH);

    const id = data.id ?? newId('session');
    // The branch is named after its task (else the session's name), for people reading `git branch`.
    const task = data.taskIds[0] ? await this.deps.store.getTask(data.taskIds[0]) : undefined;
    const worktree = data.worktree
      ? await createWorktree(this.deps.git, cwd, id, worktreeBranch(id, task?.title ?? data.name), data.baseBranch)
      : undefined;
    if (worktree) cwd = worktree.path;
    const gitContext = await this.deps.git.context(cwd);
    const runtime = {
      kind: 'tmux' as const,
      host: this.deps.runtime.host,
      tmuxSession: this.deps.runtime.sessionName(id),
      pid: null,
      exitCode: null,
    };
    const launch = {
      command: data.command,
      cwd,
      agent: data.agent ?? agentKindOf(data.command),
      restartOf: options.restartOf ?? null,
    };
    const row = newSessionRow({ ...data, id, phase: null, prdReference: null }, this.deps.clock.now(), {
      runtime,
      gitContext,
      launch,
    });

    this.starting.add(id);
    try {
      await this.parts.expiry.expireDue();
      await this.parts.writes.insert(row, data.taskIds).catch(async (err: unknown) => {
        if (worktree) await releaseWorktree(this.deps.git, this.deps.log, id, worktree);
        throw err;
      });
      let started: Awaited<ReturnType<Runtime['start']>>;
      try {
        started = await this.deps.runtime.start({
          sessionId: id,
          cwd,
          // Its hooks wired to Maestro where its command line allows; `launch` keeps the command as given.
          command: withHooks(
            launch.agent,
            data.command,
            {
              url: this.options.publicUrl,
              hookProgram: this.options.hookProgram ?? [],
              mcpProgram: this.options.mcpProgram ?? [],
            },
            data.role ?? 'worker',
          ),
          env: {
            ...data.env,
            MAESTRO_SESSION_ID: id,
            MAESTRO_URL: this.options.publicUrl,
            // Its own token, not the server's: it opens this session's routes only.
            ...(this.options.token ? { MAESTRO_TOKEN: issueSessionToken(this.options.token, id) } : {}),
          },
        });
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        await this.parts.lifecycle.end(id, 'failed', {
          output: [`maestro: could not start ${JSON.stringify(data.command)}: ${message}`],
        });
        throw new MaestroError(
          'spawn_failed',
          `could not start the session's command: ${message}`,
          { sessionId: id },
          { cause: err },
        );
      }
      const session = await this.parts.writes.mutate(id, (s) => ({ ...s, runtime: { ...s.runtime, pid: started.pid } }), {
        activity: false,
      });
      this.deps.log.info(
        { sessionId: id, projectId: data.projectId, tmuxSession: started.tmuxSession, pid: started.pid, command: data.command },
        'session spawned',
      );
      return session;
    } finally {
      this.starting.delete(id);
    }
  }

  /**
   * The branches a worktree session of `projectId` may start from: its repository's local branches
   * (Maestro's own left out), and the one checked out.
   * @throws NotFoundError for an unknown project
   */
  async branches(projectId: string): Promise<{ current: string | null; branches: string[] }> {
    const project = await this.deps.store.getProject(projectId);
    if (!project) throw new NotFoundError('project', projectId);
    return this.deps.git.branches(project.repoPath);
  }

  /** Whether the runtime of `sessionId` is being started right now. */
  isStarting(sessionId: string): boolean {
    return this.starting.has(sessionId);
  }

  /** Whether the runtime session named `name` belongs to a session being started right now. */
  isStartingRuntime(name: string): boolean {
    for (const id of this.starting) if (this.deps.runtime.sessionName(id) === name) return true;
    return false;
  }
}
