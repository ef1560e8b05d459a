import { type Command, Option } from 'commander';
import { SESSION_PHASES, type SessionPhase, statisticsSchema, WAITING_REASONS } from '../domain/index.js';
import { clientFor, globals } from './context.js';
import {
  HOOK_INSTALL_AGENTS,
  installHooks,
  installMcp,
  requireInstallAgent,
  uninstallHooks,
  uninstallMcp,
} from './hook-install.js';

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

  const hooks = program.command('hooks').description('set up agents to report to Maestro');
  hooks
    .command('install <agent>')
    .description(
      `write an agent's hooks into a repository (${HOOK_INSTALL_AGENTS.join(', ')}): Claude Code's to .claude/settings.local.json (http hooks to this server; --shared: async maestro-hook commands in the committed settings.json), Gemini CLI's to .gemini/settings.json, aider's to .aider.conf.yml, Codex's notify to .codex/config.toml. Sessions spawned by Maestro need none of this for Claude Code, Codex and aider.`,
    )
    .option('-r, --repo <dir>', 'repository (default: the current directory)', '.')
    .option('--shared', 'Claude Code: the committed .claude/settings.json instead of the personal settings.local.json')
    .option(
      '--orchestrator',
      "also register Maestro's MCP server (maestro mcp) so the agent can drive others: .mcp.json (Claude Code), .gemini/settings.json, .codex/config.toml",
    )
    .action(async (agent: string, opts, cmd: Command) => {
      const kind = requireInstallAgent(agent, 'install');
      const file = await installHooks(kind, opts.repo, { shared: opts.shared === true, url: globals(cmd).url });
      process.stdout.write(`wrote Maestro's hooks for ${agent} to ${file}\n`);
      if (opts.orchestrator)
        process.stdout.write(`registered Maestro's MCP server for ${agent} in ${await installMcp(kind, opts.repo)}\n`);
    });
  hooks
    .command('uninstall <agent>')
    .description("remove exactly the hooks `maestro hooks install` added (the user's own stay)")
    .option('-r, --repo <dir>', 'repository (default: the current directory)', '.')
    .option('--shared', 'Claude Code: from the committed .claude/settings.json')
    .action(async (agent: string, opts) => {
      const kind = requireInstallAgent(agent, 'uninstall');
      const { file, removed } = await uninstallHooks(kind, opts.repo, { shared: opts.shared === true });
      process.stdout.write(removed ? `removed Maestro's hooks from ${file}\n` : `no Maestro hooks in ${file}\n`);
      if (await uninstallMcp(kind, opts.repo)) process.stdout.write(`removed Maestro's MCP server for ${agent}\n`);
    });
}
