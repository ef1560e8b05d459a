import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { CLAUDE_HOOK_EVENTS, claudeHttpHooks } from '../core/agents/hook-setup.js';

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
      (typeof h.url === 'string' && /\/api\/hooks\/\w+$/.test(h.url)) ||
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

/**
 * Adds Maestro's hooks to an agent's JSON settings file (Claude Code's, Gemini CLI's: the same shape), beside the user's own (earlier Maestro
 * hooks are replaced, so it is safe to run twice).
 */
export async function installJsonHooks(file: string, hooks: Record<string, unknown[]>): Promise<void> {
  const current = await readSettings(file);
  const merged: Record<string, unknown[]> = { ...(current.settings.hooks ?? {}) };
  for (const [event, entries] of Object.entries(hooks))
    merged[event] = [...(merged[event] ?? []).filter((e) => !isMaestroEntry(e)), ...entries];
  await writeSettings(file, { ...current, settings: { ...current.settings, hooks: merged } });
}

/**
 * Removes exactly Maestro's hooks from an agent's JSON settings file: an event left without hooks
 * goes, `hooks` left empty goes, and a file left empty (one Maestro made) is deleted.
 * @returns whether anything was removed
 */
export async function uninstallJsonHooks(file: string): Promise<boolean> {
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

/** Gemini CLI's hooks (docs/agents.md §3b): command hooks running `maestro-hook gemini` (timeout in milliseconds). */
export function geminiHooks(): Record<string, unknown[]> {
  const hook = { type: 'command', command: `${HOOK_PROGRAM} gemini`, timeout: 5000 };
  const events = ['BeforeAgent', 'BeforeTool', 'AfterTool', 'Notification', 'AfterAgent'];
  return Object.fromEntries(events.map((event) => [event, [{ hooks: [hook] }]]));
}

/** Lines Maestro adds to a line-based config file (aider's YAML, Codex's TOML) end with this mark, so uninstall finds exactly them. */
const MARK = '# added by maestro hooks install';

/**
 * Adds `lines` (marked) to a line-based config file: at its top (`top`: TOML's top-level keys must
 * come before its first table) or its end; earlier marked lines are replaced.
 * @throws Error when the file already sets one of `keys` itself (Maestro never overrides a user's choice)
 */
async function installLines(file: string, keys: readonly RegExp[], lines: readonly string[], top: boolean): Promise<void> {
  const text = await readFile(file, 'utf8').catch(() => '');
  const own = text.split('\n').filter((line) => !line.endsWith(MARK));
  const taken = own.find((line) => keys.some((key) => key.test(line)));
  if (taken) throw new Error(`${file} already sets "${taken.trim()}": remove it, or set it to run maestro-hook yourself`);
  const added = lines.map((line) => `${line} ${MARK}`);
  const body = own.join('\n');
  await mkdir(dirname(file), { recursive: true });
  await writeFile(
    file,
    top ? `${added.join('\n')}\n${body}` : `${body}${body === '' || body.endsWith('\n') ? '' : '\n'}${added.join('\n')}\n`,
  );
}

/** Removes the lines marked `mark`; a file left empty (one Maestro made) is deleted. @returns whether any went */
async function uninstallLines(file: string, mark = MARK): Promise<boolean> {
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined || !text.includes(mark)) return false;
  const kept = text
    .split('\n')
    .filter((line) => !line.endsWith(mark))
    .join('\n');
  if (kept.trim() === '') await rm(file);
  else await writeFile(file, kept);
  return true;
}

/** The agents `maestro hooks install` sets up. */
export const HOOK_INSTALL_AGENTS = ['claude', 'gemini', 'aider', 'codex'] as const;
export type InstallAgent = (typeof HOOK_INSTALL_AGENTS)[number];

/** @throws Error naming the agents it knows */
export function requireInstallAgent(agent: string, verb: string): InstallAgent {
  if ((HOOK_INSTALL_AGENTS as readonly string[]).includes(agent)) return agent as InstallAgent;
  throw new Error(`hooks ${verb}: unknown agent "${agent}"; known: ${HOOK_INSTALL_AGENTS.join(', ')}`);
}

/** The file `agent`'s hooks go to in `repo`. */
function hookFile(agent: InstallAgent, repo: string, shared: boolean): string {
  const root = resolve(repo);
  switch (agent) {
    case 'claude':
      return join(root, '.claude', shared ? 'settings.json' : 'settings.local.json');
    case 'gemini':
      return join(root, '.gemini', 'settings.json');
    case 'aider':
      return join(root, '.aider.conf.yml');
    case 'codex':
      return join(root, '.codex', 'config.toml');
  }
}

/**
 * Writes `agent`'s hooks into `repo` (docs/design.md §Hooks), beside the user's own settings;
 * safe to run twice. `url` is this server's, for Claude Code's personal http hooks.
 * @returns the file written
 * @throws Error when the file is not what it should be (not JSON; a setting the user made)
 */
export async function installHooks(agent: InstallAgent, repo: string, opts: { shared: boolean; url: string }): Promise<string> {
  const file = hookFile(agent, repo, opts.shared);
  if (agent === 'claude') await installJsonHooks(file, opts.shared ? claudeSharedHooks() : claudeHttpHooks(opts.url));
  else if (agent === 'gemini') await installJsonHooks(file, geminiHooks());
  else if (agent === 'aider')
    await installLines(
      file,
      [/^notifications(-command)?\s*:/],
      ['notifications: true', `notifications-command: ${HOOK_PROGRAM} aider`],
      false,
    );
  else await installLines(file, [/^notify\s*=/], [`notify = ["${HOOK_PROGRAM}", "codex"]`], true);
  return file;
}

/** Removes exactly what {@link installHooks} added. @returns the file, and whether anything was removed */
export async function uninstallHooks(
  agent: InstallAgent,
  repo: string,
  opts: { shared: boolean },
): Promise<{ file: string; removed: boolean }> {
  const file = hookFile(agent, repo, opts.shared);
  const removed = agent === 'claude' || agent === 'gemini' ? await uninstallJsonHooks(file) : await uninstallLines(file);
  return { file, removed };
}

/** The MCP server entry an orchestrating agent gets: `maestro mcp` from PATH (no machine's path in a shared file). */
const MCP_SERVER = { command: 'maestro', args: ['mcp'] };

/** The mark of the lines of Codex's MCP table: apart from the hooks' own, so each uninstall takes exactly its lines. */
const MCP_MARK = '# added by maestro hooks install --orchestrator';

/** The file `agent`'s MCP servers go to in `repo`: Claude Code's `.mcp.json`, Gemini CLI's settings, Codex's config. */
function mcpFile(agent: InstallAgent, repo: string): string {
  const root = resolve(repo);
  switch (agent) {
    case 'claude':
      return join(root, '.mcp.json');
    case 'gemini':
      return join(root, '.gemini', 'settings.json');
    case 'codex':
      return join(root, '.codex', 'config.toml');
    case 'aider':
      throw new Error('hooks install aider --orchestrator: aider speaks no MCP; use claude, gemini or codex');
  }
}

/**
 * Registers Maestro's MCP server (`maestro mcp`) for `agent` in `repo`, so it can drive other
 * agents (issue #25.3): `mcpServers.maestro` in Claude Code's `.mcp.json` and Gemini CLI's
 * settings, `[mcp_servers.maestro]` in Codex's config; safe to run twice, the user's own servers
 * kept. @returns the file written
 * @throws Error for aider (no MCP), or a file that is not JSON
 */
export async function installMcp(agent: InstallAgent, repo: string): Promise<string> {
  const file = mcpFile(agent, repo);
  if (agent === 'codex') {
    await uninstallLines(file, MCP_MARK);
    const text = await readFile(file, 'utf8').catch(() => '');
    const lines = ['[mcp_servers.maestro]', `command = "${MCP_SERVER.command}"`, `args = ${JSON.stringify(MCP_SERVER.args)}`];
    await mkdir(dirname(file), { recursive: true });
    await writeFile(
      file,
      `${text}${text === '' || text.endsWith('\n') ? '' : '\n'}${lines.map((l) => `${l} ${MCP_MARK}`).join('\n')}\n`,
    );
    return file;
  }
  const current = await readSettings(file);
  const servers = (current.settings.mcpServers ?? {}) as Record<string, unknown>;
  await writeSettings(file, { ...current, settings: { ...current.settings, mcpServers: { ...servers, maestro: MCP_SERVER } } });
  return file;
}

/** Removes the MCP server {@link installMcp} registered. @returns whether anything was removed */
export async function uninstallMcp(agent: InstallAgent, repo: string): Promise<boolean> {
  if (agent === 'aider') return false;
  const file = mcpFile(agent, repo);
  if (agent === 'codex') return uninstallLines(file, MCP_MARK);
  const current = await readSettings(file);
  const servers = current.settings.mcpServers as Record<string, unknown> | undefined;
  if (!current.exists || !servers || !('maestro' in servers)) return false;
  const { maestro: _gone, ...rest } = servers;
  const { mcpServers: _all, ...others } = current.settings;
  const settings = Object.keys(rest).length > 0 ? { ...others, mcpServers: rest } : others;
  if (Object.keys(settings).length === 0) await rm(file);
  else await writeSettings(file, { ...current, settings });
  return true;
}
