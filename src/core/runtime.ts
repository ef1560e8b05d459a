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
  /** The Maestro session id of a runtime session name of this runtime's; undefined for any other name. */
  sessionIdOf(name: string): string | undefined;
  /**
   * Tells of what happens in the runtime's sessions as it happens, without polling
   * (docs/design.md §Agent state). A runtime that cannot tells nothing; the reconciler's passes
   * are the safety net.
   */
  readonly notices: RuntimeNotices;
  /**
   * Keeps streaming a session's output into its transcript (a session started before this
   * runtime did, re-adopted); a stream already open is kept. Quiet when the session is gone.
   */
  stream(name: string): Promise<void>;
  /**
   * Where a session's transcript is on this machine: the file its output is appended to, and the
   * older part rotated out of it (either may not exist); undefined when transcripts are off.
   */
  transcript(name: string): TranscriptFiles | undefined;
  /** Removes a session's transcript (its session was deleted); quiet when there is none. */
  removeTranscript(name: string): Promise<void>;
  /**
   * A new terminal client of a session, as a person at a terminal would attach (a viewer of the
   * browser terminal); undefined when the session does not exist or is not Maestro's.
   * @throws Error when the terminal cannot be started
   */
  attach(name: string, options: AttachOptions): Promise<TerminalClient | undefined>;
  /** Stops listening to the runtime (notices end); sessions keep running. Idempotent. */
  close(): Promise<void>;
}

/** How a terminal client attaches: its size in character cells, and whether it may type. */
export interface AttachOptions {
  cols: number;
  rows: number;
  /** Watch only: the client's keys never reach the session. */
  readOnly: boolean;
}

/**
 * One terminal client of a session: what it shows (the screen on attach, then every change, as
 * the bytes a terminal emulator draws), and what its user types. Closing it detaches; the session
 * goes on.
 */
export interface TerminalClient {
  /** Subscribes to the bytes to draw. */
  onData(listener: (data: string) => void): void;
  /** Subscribes to the client's end (detached, or the session ended). */
  onExit(listener: () => void): void;
  /** Types `data` (raw terminal input: keys as the terminal encodes them); ignored when read-only. */
  write(data: string): void;
  /** Resizes the client (the session's window follows its latest client), in character cells. */
  resize(cols: number, rows: number): void;
  /** Detaches; idempotent. */
  close(): void;
}

/** The files of one session's transcript (absolute paths). */
export interface TranscriptFiles {
  /** The file the pane's output is appended to now. */
  current: string;
  /** The older part, rotated out of `current` when it passed half the bound. */
  previous: string;
}

/** What a runtime tells as it happens; each `on…` returns its unsubscribe function. */
export interface RuntimeNotices {
  /** A session's pane printed (at most one notice per write; a busy pane sends many). */
  onOutput(listener: (name: string) => void): () => void;
  /** A session's output stream opened (it started, or was re-adopted). */
  onStart(listener: (name: string) => void): () => void;
  /** A pane died (its command exited); which one, a probe says. */
  onExit(listener: () => void): () => void;
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
   * `branch` (see `worktreeBranch`) from the local branch `base` (default: the current HEAD).
   * @throws Error with git's message when git refuses (not a repository, no commit yet, branch exists)
   */
  addWorktree(repoRoot: string, sessionId: string, branch: string, base?: string): Promise<Worktree>;
  /** The local branches of the repository containing `dir`, and the one checked out; empty outside a repository. */
  branches(dir: string): Promise<{ current: string | null; branches: string[] }>;
  /**
   * Removes a session's worktree and its branch, but only when the worktree has no uncommitted
   * changes and every commit of the branch is on another branch; otherwise keeps both and says why.
   */
  removeWorktree(worktree: Worktree): Promise<WorktreeRemoval>;
  /**
   * What changed in `dir` since commit `base`: committed, staged and unstaged changes of tracked
   * files (renames found), and the untracked files (not ignored) as added ones; `context` lines
   * around each change.
   * @throws Error with git's message when `dir` is not a repository or `base` is not a commit there
   */
  diff(dir: string, base: string, context: number): Promise<RawDiff>;
  /**
   * Finishes a session's worktree (docs/design.md §Worktrees): `merge` commits what is
   * uncommitted (with `message`), merges the branch into the main checkout's current branch
   * (`--no-ff` unless `fastForward`), then removes the worktree and the branch; `keep` commits what
   * is uncommitted and removes the worktree, keeping the branch; `discard` removes both. A merge
   * that would conflict, or a main checkout with changes of its own, changes nothing and answers
   * the files in the way.
   */
  finishWorktree(
    worktree: Worktree,
    action: 'merge' | 'keep' | 'discard',
    options: { message: string; fastForward: boolean },
  ): Promise<WorktreeFinish>;
}

/** What became of a worktree at its finish: done (with the merge commit), or refused with the files in the way. */
export type WorktreeFinish =
  | { done: true; commit: string | null; into: string | null }
  | { done: false; reason: string; files: string[] };

/** A diff as git prints it: the unified patch, and `--numstat -z` (binary files read `-\t-`). */
export interface RawDiff {
  patch: string;
  numstat: string;
}

/** Notices of a runtime that tells nothing (no transcripts; a stub): every listener is kept and never called. */
export const SILENT_NOTICES: RuntimeNotices = {
  onOutput: () => () => undefined,
  onStart: () => () => undefined,
  onExit: () => () => undefined,
};
