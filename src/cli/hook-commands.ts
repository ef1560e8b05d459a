import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { CLAUDE_HOOK_EVENTS, claudeHttpHooks } from '../core/agents/hook-setup.js';
import { SESSION_PHASES, type SessionPhase, statisticsSchema, WAITING_REASONS } from '../domain/index.js';
import { clientFor, globals } from './context.js';

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

/** The hook program agents run where they have no http hooks: on PATH once Maestro is installed (`maestro-hook`). */
const HOOK_PROGRAM = 'maestro-hook';

/**
 * Claude Code's hooks as `maestro hooks install claude --shared` writes them to the committed
 * `.claude/settings.json`: `async` command hooks (they never block the agent) running
 * `maestro-hook claude` from PATH, so no machine's path or port is in a shared file.
 */
export function claudeSharedHooks(): Record<string, unknown[]> {
  const hook = { type: 'command', command: `${HOOK_PROGRAM} claude`, async: true, timeout: 5 };
  return Object.fromEntries(CLAUDE_HOOK_EVENTS.map((event) => [event, [{ hooks: [hook] }]]));
}

/** Whether a hook entry of a settings file is Maestro's (its http hook, or its hook program; also older `maestro … hook` commands). */
function isMaestroEntry(entry: unknown): boolean {
  const hooks = (entry as { hooks?: { url?: unknown; command?: unknown }[] }).hooks ?? [];
  return hooks.some(
    (h) =>
      (typeof h.url === 'string' && h.url.endsWith('/api/hooks/claude')) ||
      (typeof h.command === 'string' &&
        (h.command.startsWith(`${HOOK_PROGRAM} `) || / hook (activity|needs-input|input-given)/.test(h.command))),
  );
}

/** A settings file's text, parsed, with how it was written (indentation, final newline), so a write keeps its look. */
interface SettingsFile {
  exists: boolean;
  settings: Record<string, unknown> & { hooks?: Record<string, unknown[]> };
  indent: string | number;
  newline: boolean;
}

async function readSettings(file: string): Promise<SettingsFile> {
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) return { exists: false, settings: {}, indent: 2, newline: true };
  let settings: SettingsFile['settings'];
  try {
    settings = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file} is not JSON (${(err as Error).message}): fix or remove it first`);
  }
  const indent = /\n(\s+)"/.exec(text)?.[1] ?? 2;
  return {
    exists: true,
    settings,
    indent: indent === '\t' ? '\t' : typeof indent === 'string' ? indent.length : indent,
    newline: text.endsWith('\n'),
  };
}

async function writeSettings(file: string, { settings, indent, newline }: SettingsFile): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(settings, null, indent)}${newline ? '\n' : ''}`);
}

/** Claude Code's settings file a (un)install touches: the personal one unless `shared`. */
const claudeSettingsFile = (repo: string, shared: boolean) =>
  join(resolve(repo), '.claude', shared ? 'settings.json' : 'settings.local.json');

/**
 * Adds Maestro's hooks to a Claude Code settings file, beside the user's own (earlier Maestro
 * hooks are replaced, so it is safe to run twice).
 */
export async function installClaudeHooks(file: string, hooks: Record<string, unknown[]>): Promise<void> {
  const current = await readSettings(file);
  const merged: Record<string, unknown[]> = { ...(current.settings.hooks ?? {}) };
  for (const [event, entries] of Object.entries(hooks))
    merged[event] = [...(merged[event] ?? []).filter((e) => !isMaestroEntry(e)), ...entries];
  await writeSettings(file, { ...current, settings: { ...current.settings, hooks: merged } });
}

/**
 * Removes exactly Maestro's hooks from a Claude Code settings file: an event left without hooks
 * goes, `hooks` left empty goes, and a file left empty (one Maestro made) is deleted.
 * @returns whether anything was removed
 */
export async function uninstallClaudeHooks(file: string): Promise<boolean> {
  const current = await readSettings(file);
  const hooks = current.settings.hooks;
  if (!current.exists || !hooks) return false;
  let removed = false;
  const kept: Record<string, unknown[]> = {};
  for (const [event, entries] of Object.entries(hooks)) {
    const own = entries.filter((e) => !isMaestroEntry(e));
    if (own.length !== entries.length) removed = true;
    if (own.length > 0) kept[event] = own;
  }
  if (!removed) return false;
  const { hooks: _, ...rest } = current.settings;
  const settings = Object.keys(kept).length > 0 ? { ...rest, hooks: kept } : rest;
  if (Object.keys(settings).length === 0) await rm(file);
  else await writeSettings(file, { ...current, settings });
  return true;
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
      "write Claude Code's hooks into a repository: .claude/settings.local.json (personal, http hooks to this server), or with --shared the committed .claude/settings.json (async `maestro-hook claude` commands, no machine paths). Sessions spawned by Maestro need none of this.",
    )
    .option('-r, --repo <dir>', 'repository (default: the current directory)', '.')
    .option('--shared', 'write the committed .claude/settings.json instead of the personal settings.local.json')
    .action(async (agent: string, opts, cmd: Command) => {
      requireClaude(agent, 'install');
      const file = claudeSettingsFile(opts.repo, opts.shared === true);
      await installClaudeHooks(file, opts.shared ? claudeSharedHooks() : claudeHttpHooks(globals(cmd).url));
      process.stdout.write(`wrote Maestro's hooks for Claude Code to ${file}\n`);
    });
  hooks
    .command('uninstall <agent>')
    .description("remove exactly the hooks `maestro hooks install` added (the user's own stay)")
    .option('-r, --repo <dir>', 'repository (default: the current directory)', '.')
    .option('--shared', 'from the committed .claude/settings.json')
    .action(async (agent: string, opts) => {
      requireClaude(agent, 'uninstall');
      const file = claudeSettingsFile(opts.repo, opts.shared === true);
      const removed = await uninstallClaudeHooks(file);
      process.stdout.write(removed ? `removed Maestro's hooks from ${file}\n` : `no Maestro hooks in ${file}\n`);
    });
}

/** @throws Error naming the agents `hooks` knows */
function requireClaude(agent: string, verb: string): void {
  if (agent !== 'claude')
    throw new Error(
      `hooks ${verb}: unknown agent "${agent}"; known: claude (Codex and aider sessions spawned by Maestro are set up on their command line; see the README for others)`,
    );
}
