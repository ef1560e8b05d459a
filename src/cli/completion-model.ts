import type { Command, Option } from 'commander';
import type { IdKind } from '../domain/index.js';
import { argumentKind, optionKind } from './references.js';

/**
 * What completes a value: fixed words, the names of sessions, projects or tasks read from the
 * server when Tab is pressed (`maestro __complete KIND`), or anything (the shell offers files).
 */
export type Completion = { words: string[] } | { names: IdKind } | 'any';

/** An option as completion sees it. */
export interface OptionSpec {
  /** Its flags: `-s`, `--status`. */
  flags: string[];
  description: string;
  /** What its value completes with; undefined for an option that takes no value. */
  value?: Completion;
  /** Whether it is the program's (`--url`), taken after every command. */
  global?: boolean;
}

/** A command as completion sees it: its subcommands, its options and what its arguments complete with. */
export interface CommandSpec {
  /** Its path from the program: `[]` for `maestro`, `['session', 'list']`. */
  path: string[];
  description: string;
  subcommands: CommandSpec[];
  /** Its own options and the program's (commander takes the program's anywhere). */
  options: OptionSpec[];
  /** What each positional argument completes with, in order; the last repeats when variadic. */
  args: Completion[];
  /** Whether the last argument takes any number of words (`<command...>`). */
  variadic: boolean;
}

/** The first sentence of a description, at most 60 characters: what fits beside a completion. */
export function shortDescription(text: string): string {
  const first = text.split(/[:;(]|, e\.g\.|\. /)[0]?.trim() ?? '';
  return first.length > 60 ? `${first.slice(0, 59).trimEnd()}…` : first;
}

function optionSpec(option: Option, group: string | undefined): OptionSpec {
  const flags = [option.short, option.long].filter((f): f is string => f !== undefined);
  const spec: OptionSpec = { flags, description: shortDescription(option.description) };
  if (!option.required && !option.optional) return spec;
  const kind = optionKind(group, option.attributeName());
  spec.value = option.argChoices ? { words: option.argChoices } : kind ? { names: kind } : 'any';
  return spec;
}

/**
 * The completion spec of `command` and everything under it, read from the commander tree itself
 * (its visible commands and options, their choices, which arguments take names) so the shell
 * scripts never drift from the real CLI.
 */
export function commandSpec(command: Command, path: string[] = [], globals: OptionSpec[] = []): CommandSpec {
  const help = command.createHelp();
  const group = command.parent?.name();
  const own = help.visibleOptions(command).map((o) => optionSpec(o, group));
  // The program's options (--url, --token, -o) are taken after any subcommand too.
  const seen = new Set(own.flatMap((o) => o.flags));
  const options = [...own, ...globals.filter((g) => !g.flags.some((f) => seen.has(f)))];
  const programOptions =
    path.length === 0 ? own.filter((o) => !o.flags.includes('--help')).map((o) => ({ ...o, global: true })) : globals;
  const names = command.registeredArguments.map((a) => a.name());
  const subcommands = help.visibleCommands(command).map((sub) => commandSpec(sub, [...path, sub.name()], programOptions));
  // commander's own `help [command]` takes the name of a sibling.
  const helpCommand = subcommands.find((s) => s.path.at(-1) === 'help' && s.args.length === 1);
  if (helpCommand) helpCommand.args = [{ words: subcommands.map((s) => s.path.at(-1) as string).filter((n) => n !== 'help') }];
  return {
    path,
    description: shortDescription(command.description()),
    subcommands,
    options,
    args: command.registeredArguments.map((a, i): Completion => {
      const kind = argumentKind(group, names, i);
      return a.argChoices ? { words: a.argChoices } : kind ? { names: kind } : 'any';
    }),
    variadic: command.registeredArguments.at(-1)?.variadic === true,
  };
}

/** Every command of the tree, the program first, each before its subcommands. */
export function allCommands(root: CommandSpec): CommandSpec[] {
  return [root, ...root.subcommands.flatMap(allCommands)];
}
