import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Command, Option } from 'commander';
import { SESSION_PHASES, type SessionPhase, statisticsSchema, WAITING_REASONS } from '../domain/index.js';
import { clientFor } from './context.js';
import { shellWords } from './output.js';

/** The session a hook reports for: the agent's environment, set by `maestro session spawn`. */
function sessionFromEnv(): string | undefined {
  const id = process.env.MAESTRO_SESSION_ID;
  if (!id) process.stderr.write('maestro hook: MAESTRO_SESSION_ID is not set (not running under Maestro); nothing reported\n');
  return id || undefined;
}

/** Reads the JSON an agent passes its hooks on stdin (Claude Code does); `{}` when there is none. */
async function stdinJson(): Promise<Record<string, unknown>> {
  if (process.stdin.isTTY) return {};
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
  } catch {
    return {};
  }
}

/** The command line that runs this `maestro`, quoted for the shell that agents run hooks with. */
function selfCommand(): string {
  const bin = fileURLToPath(new URL('../../bin/maestro.js', import.meta.url));
  return shellWords([process.execPath, bin]);
}

/**
 * The Claude Code hooks that make a Maestro-spawned session report itself: tool use and subagents
 * count as activity, a notification means it waits for permission or an answer, Stop means it is
 * idle waiting for the next prompt, and a submitted prompt means input was given.
 */
export function claudeHooks(maestro = selfCommand()): Record<string, unknown[]> {
  const run = (args: string) => [{ hooks: [{ type: 'command', command: `${maestro} hook ${args}` }] }];
  const runAll = (args: string) => [{ matcher: '*', hooks: [{ type: 'command', command: `${maestro} hook ${args}` }] }];
  return {
    PreToolUse: runAll('activity'),
    PostToolUse: runAll('activity'),
    SubagentStop: run('activity'),
    Notification: run('needs-input --reason permission --stdin-json'),
    Stop: run('needs-input --reason idle_prompt --stdin-json'),
    UserPromptSubmit: run('input-given'),
  };
}

/** `maestro hook …` (called by agents) and `maestro hooks install …` (called once per repo). */
export function hookCommands(program: Command): void {
  const hook = program
    .command('hook')
    .description('report from inside an agent session (reads MAESTRO_SESSION_ID and MAESTRO_URL); exits 0 outside Maestro');

  hook
    .command('activity')
    .description('the agent is working (a heartbeat with one message)')
    .action(async (_opts, cmd: Command) => {
      const id = sessionFromEnv();
      if (id) await clientFor(cmd).sessions.touch(id);
    });

  hook
    .command('needs-input')
    .description('the agent waits for its user')
    .addOption(new Option('-r, --reason <reason>', 'why').choices([...WAITING_REASONS, 'idle']).default('question'))
    .option('-m, --message <text>', 'what it asks')
    .option('--stdin-json', 'take the message from the agent\'s hook JSON on stdin (its "message" field)')
    .action(async (opts, cmd: Command) => {
      const id = sessionFromEnv();
      if (!id) return;
      const fromStdin = opts.stdinJson ? await stdinJson() : {};
      const message = opts.message ?? (typeof fromStdin.message === 'string' ? fromStdin.message : undefined);
      await clientFor(cmd).sessions.needsInput(id, { reason: opts.reason, message });
    });

  hook
    .command('input-given')
    .description('the user answered; the agent works again')
    .action(async (_opts, cmd: Command) => {
      const id = sessionFromEnv();
      if (id) await clientFor(cmd).sessions.inputGiven(id);
    });

  hook
    .command('phase <name>')
    .description(`the agent moved to a phase (${SESSION_PHASES.join(', ')})`)
    .action(async (name: string, _opts, cmd: Command) => {
      const id = sessionFromEnv();
      if (id) await clientFor(cmd).sessions.update(id, { phase: name as SessionPhase });
    });

  hook
    .command('stats <json>')
    .description('merge statistics, e.g. maestro hook stats \'{"completedTasks": 3}\'')
    .action(async (json: string, _opts, cmd: Command) => {
      const id = sessionFromEnv();
      if (!id) return;
      let parsed: unknown;
      try {
        parsed = JSON.parse(json);
      } catch {
        throw new Error(`stats: expected a JSON object, got ${json}`);
      }
      await clientFor(cmd).sessions.update(id, { statistics: statisticsSchema.partial().parse(parsed) });
    });

  program
    .command('hooks')
    .description('set up agents to report to Maestro')
    .command('install <agent>')
    .description("write the agent's hook configuration into a repository (agents: claude)")
    .option('-r, --repo <dir>', 'repository (default: the current directory)')
    .action(async (agent: string, opts) => {
      if (agent !== 'claude')
        throw new Error(`hooks install: unknown agent "${agent}"; known: claude (for others, see the README's shell recipe)`);
      const file = join(resolve(opts.repo ?? '.'), '.claude', 'settings.json');
      const current = JSON.parse(await readFile(file, 'utf8').catch(() => '{}')) as { hooks?: Record<string, unknown[]> };
      // Maestro's hooks replace earlier Maestro hooks and sit beside the user's own.
      const hooks: Record<string, unknown[]> = { ...(current.hooks ?? {}) };
      for (const [event, entries] of Object.entries(claudeHooks())) {
        const others = (hooks[event] ?? []).filter((e) => !JSON.stringify(e).includes(' hook '));
        hooks[event] = [...others, ...entries];
      }
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, `${JSON.stringify({ ...current, hooks }, null, 2)}\n`);
      process.stdout.write(`wrote Maestro's hooks for Claude Code to ${file}\n`);
    });
}
