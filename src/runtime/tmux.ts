import { hostname } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import { execa } from 'execa';
import {
  type AttachOptions,
  type Probe,
  type ProbedSession,
  type Runtime,
  type RuntimeNotices,
  SILENT_NOTICES,
  type StartedRuntime,
  type StartSpec,
  type TerminalClient,
  type TranscriptFiles,
} from '../core/runtime.js';
import { dropTrailingBlank, shellQuote, shellWords } from '../domain/index.js';
import { ExitWaiter } from './exit-waiter.js';
import { PaneLogs } from './pane-logs.js';
import { killProcessGroups, signalProcessGroups, stopBelowLeader } from './process-groups.js';
import { chainCommands, escapeTmuxArg, literalFormat } from './tmux-args.js';
import { attachTmux } from './tmux-attach.js';

/** Options of {@link TmuxSessionManager}. */
export interface TmuxOptions {
  /** tmux socket name (`-L`); Maestro's sessions live on their own server. */
  socket: string;
  /** Prefix of the tmux session names Maestro creates. Default `maestro-`. */
  prefix?: string;
  /**
   * Value of the `@maestro_owner` user option Maestro tags its sessions with (the database's
   * instance id in production), so sessions of anyone else on the socket are never touched.
   * Default `maestro`.
   */
  owner?: string;
  /** Time limit of one tmux call, in milliseconds. Default 5000. */
  timeoutMs?: number;
  /** The host name recorded with sessions. Default: this machine's. */
  host?: string;
  /** The tmux program. Default `tmux`. */
  tmuxBin?: string;
  /** After killing a session, how long its processes get to exit on SIGTERM before SIGKILL, in milliseconds. Default 2000. */
  killGraceMs?: number;
  /**
   * Variables of Maestro's own environment kept from tmux, and so from every agent (its token, a
   * database URL with a password). Default none.
   */
  hiddenEnv?: readonly string[];
  /**
   * Absolute directory of the sessions' transcripts (`<name>.log`, streamed by `pipe-pane`); the
   * source of output notices. Absent: no transcripts, no output notices.
   */
  logDir?: string;
  /** Bound of one session's transcript, in bytes (rotated; see `PaneLogs`). Default 5 MB. */
  logMaxBytes?: number;
  /** Told of failures in the background (a transcript rotation); default: ignored. */
  onError?(err: unknown, context: string): void;
}

const FIELD_SEP = '\u001f';
const PROBE_FORMAT = [
  '#{session_name}',
  '#{pane_dead}',
  '#{pane_dead_status}',
  '#{pane_dead_signal}',
  '#{pane_pid}',
  // The window's, not the session's: session_activity moves only on a client's key input, while
  // window_activity moves on the pane's output, which is what an agent at work produces.
  '#{window_activity}',
  '#{@maestro_owner}',
].join(FIELD_SEP);

/** tmux's words for "there is no server", which means every session on it is really gone. */
const NO_SERVER = /no server running|error connecting to .*\((No such file or directory|Connection refused)\)/;
/**
 * Pause before asking tmux a second time when a listing failed, in milliseconds. A server that
 * just lost its last session exits, and a client reaching it meanwhile reads "server exited
 * unexpectedly" or "no current target" (measured here: 2 listings in 300); asked again, it says
 * "no server running". A broken server fails twice and the pass is "could not check".
 */
const LIST_RETRY_MS = 50;
const NO_SESSION = /can't find session|session not found|no such session|can't find pane|can't find window/;

/** What a tmux call printed. */
interface TmuxResult {
  ok: boolean;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/**
 * The tmux runtime: one dedicated tmux server (`tmux -L <socket>`), one tmux session per agent
 * session, commands run from argument arrays (under a waiting `sh` leader as its positional
 * parameters, never parsed; see {@link paneLeader}; tmux executes them with execvp, never
 * `sh -c`). Every string reaches tmux as data: arguments escaped for its command parser, the
 * directory for its format expander, the environment through the tmux client's own environment
 * (never a command line). Panes stay after their command exits (`remain-on-exit`), so the exit
 * code and the last output can be read before the session is killed. Only sessions with Maestro's
 * name prefix and owner tag are ever listed, read or killed (docs/design.md §Runtime: tmux and git).
 */
export class TmuxSessionManager implements Runtime {
  readonly host: string;
  private readonly prefix: string;
  private readonly owner: string;
  private readonly timeoutMs: number;
  private readonly bin: string;
  private readonly killGraceMs: number;
  /** The environment of every tmux client: Maestro's own, without `TMUX` and the hidden variables. */
  private readonly baseEnv: Record<string, undefined>;
  private readonly logs: PaneLogs | undefined;
  private readonly exits: ExitWaiter;
  readonly notices: RuntimeNotices;

  constructor(private readonly options: TmuxOptions) {
    this.host = options.host ?? hostname();
    this.prefix = options.prefix ?? 'maestro-';
    this.owner = options.owner ?? 'maestro';
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.bin = options.tmuxBin ?? 'tmux';
    this.killGraceMs = options.killGraceMs ?? 2000;
    // A Maestro started inside tmux must not talk to the user's own server.
    this.baseEnv = Object.fromEntries(['TMUX', ...(options.hiddenEnv ?? [])].map((name) => [name, undefined]));
    // One channel per owner: two Maestros on one tmux server hear only their own panes die.
    this.exits = new ExitWaiter(
      [this.bin, '-L', options.socket],
      `maestro-exit-${this.owner.replace(/[^A-Za-z0-9_-]/g, '_')}`,
      this.baseEnv,
    );
    const logDir = options.logDir;
    this.logs =
      logDir === undefined
        ? undefined
        : new PaneLogs({
            dir: logDir,
            maxBytes: options.logMaxBytes ?? 5 * 1024 * 1024,
            reopen: async (name, path) => {
              await this.run(this.pipeCommand(name, path, false));
            },
            onError: (err, name) => options.onError?.(err, `transcript ${name}`),
          });
    const logs = this.logs;
    this.notices = logs
      ? {
          onOutput: (listener) => logs.onOutput(listener),
          onStart: (listener) => logs.onStart(listener),
          onExit: (listener) => this.exits.onExit(listener),
        }
      : { ...SILENT_NOTICES, onExit: (listener) => this.exits.onExit(listener) };
  }

  /**
   * What each pane runs: a `sh` that runs the command (its positional parameters: data, never
   * parsed) as its child and waits, exiting with its status. The command reaches tmux as several
   * arguments, which tmux executes directly (one argument would go to `sh -c` as a script). The
   * leader stays, so the command can be stopped below it (a pause; tmux resumes a pane whose own
   * process stops); a command after `"$@"` keeps a shell that would exec a lone command from doing
   * so. The leader also signals the exit channel as the command
   * exits (through the pane's own `$TMUX`): a second way to hear an exit, for a tmux whose
   * `pane-died` hook misses one (linked with libutempter, tmux can lose the child's SIGCHLD and
   * fire nothing until another child exits; tmux/tmux#311). The channel is Maestro's own word.
   */
  private paneLeader(): string[] {
    const signal = shellWords([this.bin, 'wait-for', '-S', this.exits.channel]);
    return ['sh', '-c', `"$@"; status=$?; ${signal} 2>/dev/null; exit $status`, 'maestro-agent'];
  }

  sessionIdOf(name: string): string | undefined {
    return name.startsWith(this.prefix) ? name.slice(this.prefix.length) : undefined;
  }

  /**
   * The tmux command that streams the pane's output into `path` (appending): `pipe-pane` runs it
   * with `sh -c`, so the path is quoted for the shell, and formats are expanded in it, so `#` is
   * doubled. `onlyIfNone` keeps a stream already open (`-o`); without it, an open stream is closed
   * and the new one opened in the same step (a rotation), so no output is lost between them.
   */
  private pipeCommand(name: string, path: string, onlyIfNone: boolean): string[] {
    const shell = escapeTmuxArg(literalFormat(`exec cat >> ${shellQuote(path)}`));
    return ['pipe-pane', ...(onlyIfNone ? ['-o'] : []), '-t', `=${name}:`, shell];
  }

  /** The commands that make a session's output and exit heard: its transcript stream and its `pane-died` hook. */
  private watchCommands(name: string): string[][] {
    return [
      ...(this.logs ? [this.pipeCommand(name, this.logs.path(name), true)] : []),
      ['set-hook', '-t', `=${name}:`, 'pane-died', `wait-for -S ${this.exits.channel}`],
    ];
  }

  async stream(name: string): Promise<void> {
    if ((await this.ownedPanes(name)) === undefined) return;
    await this.logs?.open();
    await this.run(chainCommands(...this.watchCommands(name)));
    this.exits.arm();
  }

  transcript(name: string): TranscriptFiles | undefined {
    if (!this.logs || !name.startsWith(this.prefix)) return undefined;
    const current = this.logs.path(name);
    return { current, previous: `${current}.1` };
  }

  async removeTranscript(name: string): Promise<void> {
    if (name.startsWith(this.prefix)) await this.logs?.remove(name);
  }

  /**
   * A terminal client of the session (see `attachTmux`), after the owner check: undefined when the
   * session is not Maestro's or does not exist.
   */
  async attach(name: string, options: AttachOptions): Promise<TerminalClient | undefined> {
    if ((await this.ownedPanes(name)) === undefined) return undefined;
    return attachTmux([this.bin, '-L', this.options.socket], name, options, this.baseEnv);
  }

  async close(): Promise<void> {
    this.logs?.close();
    await this.exits.close();
  }

  /** The socket name this runtime uses. */
  get socket(): string {
    return this.options.socket;
  }

  sessionName(sessionId: string): string {
    return `${this.prefix}${sessionId}`;
  }

  /**
   * Starts `spec.command` in a new detached tmux session in `spec.cwd`. The command always reaches
   * tmux as several arguments (behind the pane's leader, {@link paneLeader}), which tmux executes
   * directly; with a single argument tmux would hand it to `sh -c` as a script. `spec.env` travels in the tmux client's environment
   * and tmux copies the variables `update-environment` names into the new session, so no value
   * shows in `ps` or `#{pane_start_command}`.
   * @throws Error with tmux's message when the session cannot be created (e.g. the name exists)
   */
  async start(spec: StartSpec): Promise<StartedRuntime> {
    const name = this.sessionName(spec.sessionId);
    const names = Object.keys(spec.env);
    const program = [...this.paneLeader(), ...spec.command].map(escapeTmuxArg);
    const cwd = escapeTmuxArg(literalFormat(spec.cwd));
    await this.logs?.open();
    const result = await this.run(
      chainCommands(
        // One invocation runs as a whole in the server, so no other spawn's list gets in between.
        ['set-option', '-g', 'update-environment', names.join(' ')],
        ['new-session', '-d', '-P', '-F', '#{pane_pid}', '-s', name, '-c', cwd, '-x', '200', '-y', '50', ...program],
        // Same invocation: tmux runs these before it handles the child's exit, so even an instant exit keeps its pane.
        ['set-option', '-w', '-t', `=${name}:`, 'remain-on-exit', 'on'],
        ['set-option', '-t', `=${name}:`, '@maestro_owner', this.owner],
        // Before tmux reads the pane's first output: the transcript misses nothing.
        ...this.watchCommands(name),
        // A server this call started took the variables into its global environment: drop them
        // there, so that no later session inherits this one's.
        ...names.map((variable) => ['set-environment', '-g', '-u', variable]),
      ),
      spec.env,
    );
    if (!result.ok) throw new Error(`tmux new-session failed: ${result.stderr.trim() || 'timed out'}`);
    this.exits.arm();
    const pid = Number.parseInt(result.stdout.trim().split('\n')[0] ?? '', 10);
    return { tmuxSession: name, pid: Number.isFinite(pid) ? pid : null };
  }

  /**
   * Kills a tmux session and every process of its panes' process groups: SIGHUP from tmux,
   * SIGTERM to each group, SIGKILL to what is left after the grace period. Only a session of
   * Maestro's (name prefix and owner tag) is touched: any other resolves quietly, like a session or
   * server that does not exist.
   * @throws Error when tmux fails otherwise (timeout, unreachable socket)
   */
  async kill(name: string): Promise<void> {
    const panes = await this.ownedPanes(name);
    if (panes === undefined) return;
    const result = await this.run(['kill-session', '-t', `=${name}`]);
    if (!result.ok && !NO_SESSION.test(result.stderr) && !NO_SERVER.test(result.stderr)) {
      throw new Error(`tmux kill-session ${name} failed: ${result.stderr.trim() || 'timed out'}`);
    }
    killProcessGroups(panes, this.killGraceMs);
  }

  /**
   * The process ids of the panes of `name` when it is a session of Maestro's (name prefix and
   * owner tag on every pane's session); `undefined` when it is not, or does not exist.
   */
  private async ownedPanes(name: string): Promise<number[] | undefined> {
    if (!name.startsWith(this.prefix)) return undefined;
    const panes = await this.run(['list-panes', '-s', '-t', `=${name}`, '-F', `#{@maestro_owner}${FIELD_SEP}#{pane_pid}`]);
    if (!panes.ok) return undefined;
    const rows = panes.stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split(FIELD_SEP));
    if (rows.length === 0 || rows.some(([owner]) => owner !== this.owner)) return undefined;
    return rows.map(([, pid]) => Number(pid)).filter((pid) => Number.isInteger(pid) && pid > 1);
  }

  /**
   * Stops or continues every process of the session: the signal goes to each pane's process group
   * (an agent and whatever it started), after the owner check. False when the session is not
   * Maestro's or does not exist.
   */
  async signal(name: string, signal: 'SIGSTOP' | 'SIGCONT'): Promise<boolean> {
    const panes = await this.ownedPanes(name);
    if (panes === undefined) return false;
    if (signal === 'SIGCONT') signalProcessGroups(panes, 'SIGCONT');
    else for (const leader of panes) await stopBelowLeader(leader);
    return true;
  }

  /**
   * Types into the session's pane: `text` with `send-keys -l` (literal: no key names), after
   * `--` (a leading `-` is text) and escaped for tmux's command parser (a trailing `;`), then each
   * named key; one tmux invocation. Checks the owner tag first; false when the session is not
   * Maestro's or does not exist.
   * @throws Error when tmux fails otherwise
   */
  async sendInput(name: string, text: string, keys: readonly string[]): Promise<boolean> {
    if ((await this.ownedPanes(name)) === undefined) return false;
    const target = ['-t', `=${name}:`];
    const commands = [
      ...(text === '' ? [] : [['send-keys', ...target, '-l', '--', escapeTmuxArg(text)]]),
      ...keys.map((key) => ['send-keys', ...target, key]),
    ];
    if (commands.length === 0) return true;
    const result = await this.run(chainCommands(...commands));
    if (result.ok) return true;
    if (NO_SESSION.test(result.stderr) || NO_SERVER.test(result.stderr)) return false;
    throw new Error(`tmux send-keys ${name} failed: ${result.stderr.trim() || 'timed out'}`);
  }

  /**
   * The last `lines` lines of the session's pane (history included, the screen's unused rows at
   * the bottom left out), oldest first; `[]` when the session does not exist or is not Maestro's
   * (its owner tag is checked first).
   */
  async capture(name: string, lines: number): Promise<string[]> {
    if ((await this.ownedPanes(name)) === undefined) return [];
    const result = await this.run(['capture-pane', '-p', '-J', '-t', `=${name}:`, '-S', String(-lines)]);
    if (!result.ok) return [];
    const all = dropTrailingBlank(result.stdout.split('\n'));
    // tmux writes "Pane is dead (status N, time)" under a pane kept after exit; the exit code is recorded anyway.
    if (all.at(-1)?.startsWith('Pane is dead')) all.pop();
    return dropTrailingBlank(all).slice(-lines);
  }

  /**
   * What the session's pane shows now: its visible screen only (no history, the unused rows at the
   * bottom left out), top line first; `[]` when the session does not exist or is not Maestro's.
   */
  async screen(name: string): Promise<string[]> {
    if ((await this.ownedPanes(name)) === undefined) return [];
    const result = await this.run(['capture-pane', '-p', '-t', `=${name}:`]);
    return result.ok ? dropTrailingBlank(result.stdout.split('\n')) : [];
  }

  /**
   * Lists Maestro's sessions (name prefix and owner tag both match) with one `list-panes -a` call.
   * No server means no sessions (`ok: true`, empty); a timeout or any other failure is
   * `ok: false` ("could not check").
   */
  async probe(): Promise<Probe> {
    const first = await this.list();
    if (!first.ok || ![...first.sessions.values()].some((s) => s.exitPending)) return first;
    // A pane is dead but its command unreaped: tmux missed a SIGCHLD (seen on a server's first
    // session under load; the zombie stays until another child exits). Running a trivial job makes
    // tmux collect every exited child, then the exit status can be read.
    await this.run(['run-shell', 'true']);
    return this.list();
  }

  private async list(): Promise<Probe> {
    const args = ['list-panes', '-a', '-F', PROBE_FORMAT];
    let result = await this.run(args);
    if (!result.ok && !result.timedOut && !NO_SERVER.test(result.stderr)) {
      await delay(LIST_RETRY_MS);
      result = await this.run(args);
    }
    if (!result.ok) {
      if (!result.timedOut && NO_SERVER.test(result.stderr)) return { ok: true, sessions: new Map() };
      return {
        ok: false,
        error: result.timedOut ? `tmux timed out after ${this.timeoutMs} ms` : result.stderr.trim() || 'tmux failed',
      };
    }
    const sessions = new Map<string, ProbedSession>();
    for (const line of result.stdout.split('\n')) {
      const [name, dead, status, signal, pid, activity, owner] = line.split(FIELD_SEP);
      if (!name?.startsWith(this.prefix) || owner !== this.owner || sessions.has(name)) continue;
      // tmux may see the pane's terminal close before it has reaped the child: dead, but no status yet.
      const exitCode = status ? Number(status) : signal ? 128 + Number(signal) : null;
      sessions.set(name, {
        name,
        dead: dead === '1',
        exitCode: dead === '1' ? exitCode : null,
        exitPending: dead === '1' && exitCode === null,
        pid: pid ? Number(pid) : null,
        activityAt: Number(activity) * 1000,
      });
    }
    return { ok: true, sessions };
  }

  /** Kills the whole tmux server of this socket, every session on it included; for tests and maintenance. */
  async killServer(): Promise<void> {
    await this.run(['kill-server']);
  }

  /** Runs one tmux client; `env` is added to its environment (see {@link start}). */
  private async run(args: string[], env: Record<string, string> = {}): Promise<TmuxResult> {
    try {
      const result = await execa(this.bin, ['-L', this.options.socket, ...args], {
        reject: false,
        timeout: this.timeoutMs,
        stdin: 'ignore',
        env: { ...this.baseEnv, ...env },
      });
      const missing = (result as { code?: string }).code === 'ENOENT';
      return {
        ok: result.exitCode === 0 && !result.timedOut,
        stdout: result.stdout,
        stderr: missing ? `tmux was not found (${this.bin}): install tmux, or put it on PATH` : result.stderr,
        timedOut: result.timedOut,
      };
    } catch (err) {
      return { ok: false, stdout: '', stderr: err instanceof Error ? err.message : String(err), timedOut: false };
    }
  }
}
