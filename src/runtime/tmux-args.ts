/**
 * tmux reads an argument ending in `;` as a command separator, even from an argument array
 * (cmd-parse.c, `cmd_parse_from_arguments`). An argument meant literally is escaped by putting a
 * backslash before that final `;`, which tmux removes again. No shell is ever involved.
 */
export function escapeTmuxArg(arg: string): string {
  return arg.endsWith(';') ? `${arg.slice(0, -1)}\\;` : arg;
}

/** Joins tmux commands into one invocation, separated by `;` arguments. */
export function chainCommands(...commands: string[][]): string[] {
  return commands.flatMap((command, i) => (i === 0 ? command : [';', ...command]));
}

/**
 * `text` as a literal where tmux expands formats (`new-session -c`, for one): every `#` doubled,
 * so `#(…)` runs nothing and `#{…}` expands nothing (tmux(1), FORMATS: `##` is a literal `#`).
 */
export function literalFormat(text: string): string {
  return text.replaceAll('#', '##');
}
