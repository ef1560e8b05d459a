import { spawn } from 'node-pty';
import type { AttachOptions, TerminalClient } from '../core/runtime.js';

/**
 * A terminal client of a tmux session: `tmux attach-session` (`-r`, read-only, for a watcher) in
 * a pseudo-terminal of its own (node-pty), exactly as a person attaches from a terminal. tmux
 * draws the session's current screen on attach and every change after it, with colours, and
 * takes the keys typed; several clients may watch one session at once. The arguments are an
 * array (no shell); the target is the exact session name (`=name`).
 * @param command the tmux program and its socket arguments (`['tmux', '-L', socket]`)
 * @param env the client's environment (Maestro's, without `TMUX` and its secrets)
 */
export function attachTmux(
  command: readonly [string, ...string[]],
  name: string,
  options: AttachOptions,
  env: Record<string, string | undefined>,
): TerminalClient {
  const [bin, ...socketArgs] = command;
  const clientEnv = Object.fromEntries(
    Object.entries({ ...process.env, ...env, TERM: 'xterm-256color' }).filter((e): e is [string, string] => e[1] !== undefined),
  );
  const pty = spawn(bin, [...socketArgs, 'attach-session', ...(options.readOnly ? ['-r'] : []), '-t', `=${name}`], {
    name: 'xterm-256color',
    cols: options.cols,
    rows: options.rows,
    env: clientEnv,
  });
  let closed = false;
  // tmux drops what is typed before its client has attached: keys wait for its first drawing.
  let pending: string[] | undefined = [];
  pty.onData(() => {
    if (!pending) return;
    const keys = pending.join('');
    pending = undefined;
    if (keys && !closed) pty.write(keys);
  });
  return {
    onData: (listener) => {
      pty.onData(listener);
    },
    onExit: (listener) => {
      pty.onExit(() => {
        closed = true;
        listener();
      });
    },
    write: (data) => {
      if (options.readOnly || closed) return;
      if (pending) pending.push(data);
      else pty.write(data);
    },
    resize: (cols, rows) => {
      if (!closed) pty.resize(cols, rows);
    },
    close: () => {
      if (closed) return;
      closed = true;
      pty.kill();
    },
  };
}
