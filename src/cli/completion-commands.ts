import { Argument, type Command } from 'commander';
import { MaestroClient } from '../client/index.js';
import { ID_PREFIX, type IdKind } from '../domain/index.js';
import { commandSpec } from './completion-model.js';
import { completionScript, SHELLS, type Shell } from './completion-scripts.js';
import { globals } from './context.js';

/** How long Tab waits for the server's names before it gives up (and offers none). */
const NAMES_TIMEOUT_MS = 2000;

/** Names listed for a Tab, at most. */
const NAMES = 200;

/**
 * The names a person may type for `kind` (issue #22: names, not ids), newest first: sessions by name
 * (by id when the name only repeats it), projects by name, tasks by title.
 */
async function names(client: MaestroClient, kind: IdKind): Promise<string[]> {
  if (kind === 'session') return (await client.sessions.list({ limit: NAMES })).sessions.map((s) => s.name ?? s.id);
  if (kind === 'project') return (await client.projects.list()).map((p) => p.name);
  if (kind === 'task') return (await client.tasks.list({ limit: NAMES })).map((t) => t.title);
  return [];
}

/** `maestro completion bash|zsh|fish`, and the hidden `maestro __complete KIND` its scripts call. */
export function completionCommands(program: Command): void {
  program
    .command('completion')
    .description('print a shell completion script (commands, options, their values, and session, project and task names)')
    .addArgument(new Argument('<shell>', 'the shell').choices(SHELLS))
    .addHelpText(
      'after',
      `
Install it:
  bash  add to ~/.bashrc:  source <(maestro completion bash)
  zsh   add to ~/.zshrc, after compinit:  source <(maestro completion zsh)
  fish  maestro completion fish > ~/.config/fish/completions/maestro.fish

Names are read from the server at MAESTRO_URL (with MAESTRO_TOKEN) when Tab is pressed.`,
    )
    .action((shell: Shell) => {
      process.stdout.write(completionScript(shell, commandSpec(program)));
    });

  program
    .command('__complete <kind>', { hidden: true })
    .description('the names of sessions, projects or tasks, one a line, for the completion scripts')
    .action(async (kind: string, _opts, cmd: Command) => {
      if (!(kind in ID_PREFIX)) return;
      const { url, token } = globals(cmd);
      // Tab must not hang on a server that does not answer: a short deadline, and silence on any failure.
      const client = new MaestroClient({
        baseUrl: url,
        token,
        fetch: (input, init) => fetch(input, { ...init, signal: AbortSignal.timeout(NAMES_TIMEOUT_MS) }),
      });
      const found = await names(client, kind as IdKind).catch(() => []);
      process.stdout.write(
        found
          .filter((n) => !n.includes('\n'))
          .map((n) => `${n}\n`)
          .join(''),
      );
    });
}
