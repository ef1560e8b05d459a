import type { GitContext } from '../domain/index.js';

/** What to start: a command (argument array, never a shell string) in a directory. */
export interface StartSpec {
  /** The Maestro session id; the runtime derives its own session name from it. */
  sessionId: string;
  /** Absolute working directory. */
  cwd: string;
  /** Program and arguments, executed directly. */
  command: string[];
  /** Extra environment variables for the command. */
  env: Record<string, string>;
}

/** Where a started session runs. */
export interface StartedRuntime {
  /** The runtime's name for the session (the tmux session name). */
  tmuxSession: string;
  /** Process id of the command, when known. */
  pid: number | null;
}

/** One runtime session as seen by a probe. */
export interface ProbedSession {
  name: string;
  /** Whether the command has exited (the pane is kept so its exit code and output can be read). */
  dead: boolean;
  /** The command's exit code once dead (128 + signal number when a signal killed it), when known. */
  exitCode: number | null;
  /** Dead, but the runtime has not collected the exit status yet; it will on a later probe. */
  exitPending: boolean;
  pid: number | null;
  /** Last activity, in milliseconds since the epoch. */
  activityAt: number;
}

/**
 * The result of listing the runtime's sessions. `ok: false` means "could not check" (server
 * unreachable, command timed out) — never to be read as "every session is dead" (docs/design.md §Lifecycle guarantees (G6)).
 */
export type Probe = { ok: true; sessions: Map<string, ProbedSession> } | { ok: false; error: string };

/**
 * The session runtime core drives (tmux in production). Implementations never pass user input
 * through a shell.
 */
export interface Runtime {
  /** This machine's name, recorded with every session it runs. */
  readonly host: string;
  /** The runtime session name Maestro uses for a Maestro session id. */
  sessionName(sessionId: string): string;
  /** Starts `spec.command`. @throws Error when the runtime cannot start it */
  start(spec: StartSpec): Promise<StartedRuntime>;
  /**
   * Types into a runtime session: `text` literally (never read as key names, formats or commands),
   * then each named key. Returns false when the session does not exist or is not Maestro's.
   */
  sendInput(name: string, text: string, keys: readonly string[]): Promise<boolean>;
  /**
   * Stops (`SIGSTOP`) or continues (`SIGCONT`) every process of a runtime session (each pane's
   * process group). Returns false when the session does not exist or is not Maestro's.
   */
  signal(name: string, signal: 'SIGSTOP' | 'SIGCONT'): Promise<boolean>;
  /** Kills a runtime session and its processes; resolves quietly when it does not exist. */
  kill(name: string): Promise<void>;
  /** What a session's terminal shows now (its visible screen), top line first; `[]` when it does not exist. */
  screen(name: string): Promise<string[]>;
  /** The last `lines` lines of a session's output, oldest first; `[]` when it does not exist. */
  capture(name: string, lines: number): Promise<string[]>;
  /** Lists every session this runtime owns, with one call to the runtime. */
  probe(): Promise<Probe>;
}

/** A worktree Maestro made for a session. */
export interface Worktree {
  /** Absolute path of the worktree. */
  path: string;
  /** Its branch, `maestro/<session id>`. */
  branch: string;
}

/** What became of a session's worktree at clean-up. */
export type WorktreeRemoval = { removed: true } | { removed: false; reason: string };

/** Reads the git state of a directory, and makes and removes per-session worktrees. */
export interface GitInspector {
  /** The git context of `dir`; all-null fields when `dir` is not in a git repository. */
  context(dir: string): Promise<GitContext>;
  /**
   * Adds a worktree for `sessionId` at `<repoRoot>/.maestro/worktrees/<sessionId>` on a new branch
   * `maestro/<sessionId>` from the current HEAD.
   * @throws Error with git's message when git refuses (not a repository, no commit yet, branch exists)
   */
  addWorktree(repoRoot: string, sessionId: string): Promise<Worktree>;
  /**
   * Removes a session's worktree and its branch, but only when the worktree has no uncommitted
   * changes and every commit of the branch is on another branch; otherwise keeps both and says why.
   */
  removeWorktree(worktree: Worktree): Promise<WorktreeRemoval>;
}
