import { createInterface } from 'node:readline/promises';

/**
 * Asks before a destructive command acts (issue #22: `project delete`, `session delete`, `task
 * delete`, `queue remove`). `--yes` answers for the user; without it, a terminal is asked
 * `question [y/N]`, and anything but yes stops the command; off a terminal (a script, CI) the
 * command is refused, since nobody could have meant it.
 * @throws Error saying what was refused, or that the user said no
 */
export async function confirm(question: string, yes: boolean | undefined): Promise<void> {
  if (yes) return;
  if (!process.stdin.isTTY || !process.stderr.isTTY)
    throw new Error(`${question} — refused: not on a terminal, pass --yes to confirm`);
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = (await prompt.question(`${question} [y/N] `)).trim().toLowerCase();
    if (answer !== 'y' && answer !== 'yes') throw new Error('cancelled; nothing was changed');
  } finally {
    prompt.close();
  }
}
