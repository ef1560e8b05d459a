import { z } from 'zod';
import { LIMITS } from './limits.js';

/**
 * A command as an argument array, executed directly (never through a shell): the program, then
 * its arguments. The program may not be empty nor contain `=` (it would read as an environment
 * assignment to `env`, which Maestro runs commands through).
 */
export const commandSchema = z
  .array(z.string().max(LIMITS.argument))
  .min(1)
  .max(LIMITS.listItems)
  .refine((c) => c[0] !== undefined && c[0].length > 0 && !c[0].includes('='), {
    message: 'expected a program name (non-empty, without "=") as the first element',
    path: [0],
  });

/**
 * `word` as a POSIX shell reads it back: bare when it is safe, else in single quotes. For display,
 * hook commands, and the one shell command tmux runs per pane (its transcript's `cat`).
 */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** A command (argument array) as one line a person could paste into a shell. */
export const shellWords = (args: readonly string[]): string => args.map(shellQuote).join(' ');
