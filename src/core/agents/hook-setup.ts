import { HOOK_SESSION_HEADER, shellWords } from '../../domain/index.js';
import type { AgentKind } from './types.js';

/**
 * The Claude Code events Maestro hears (docs/agents.md §1b): prompts and tools (working), the
 * permission dialog and notifications (waiting), the turn's end (idle). `SessionStart` is left
 * out: Claude Code runs no http hook for it.
 */
export const CLAUDE_HOOK_EVENTS = [
  'UserPromptSubmit',
  'PreToolUse',
  'PostToolUse',
  'PostToolUseFailure',
  'PermissionRequest',
  'Notification',
  'Stop',
  'StopFailure',
  'SubagentStop',
  'PreCompact',
] as const;

/**
 * Claude Code's hooks that report to Maestro at `url` (`/api/hooks/claude`): `http` hooks (Claude
 * Code POSTs each hook's JSON itself, with no process started: a few milliseconds a tool call),
 * naming the session and its token from the agent's environment (`allowedEnvVars`: Claude Code
 * expands only those). `timeout` is in seconds: a Maestro that does not answer costs the agent
 * at most that, as a non-blocking error.
 */
export function claudeHttpHooks(url: string): Record<string, unknown[]> {
  const hook = {
    type: 'http',
    url: `${url.replace(/\/$/, '')}/api/hooks/claude`,
    headers: { [HOOK_SESSION_HEADER]: '$MAESTRO_SESSION_ID', Authorization: 'Bearer $MAESTRO_TOKEN' },
    allowedEnvVars: ['MAESTRO_SESSION_ID', 'MAESTRO_TOKEN'],
    timeout: 5,
  };
  return Object.fromEntries(CLAUDE_HOOK_EVENTS.map((event) => [event, [{ hooks: [hook] }]]));
}

/** Where a spawned agent reports: the server's URL, and the small hook program (`bin/maestro-hook.js` run by node). */
export interface HookTarget {
  url: string;
  /** The program and its first arguments; the agent's name follows. */
  hookProgram: readonly string[];
  /** Maestro's MCP server over stdio (`node bin/maestro.js mcp`), given to orchestrators; none when empty. */
  mcpProgram?: readonly string[];
}

/**
 * The MCP configuration that gives an agent Maestro's tools (`maestro mcp` as the stdio server
 * `maestro`): the format of Claude Code's `.mcp.json` and `--mcp-config`. No environment is named:
 * Claude Code starts stdio servers with its own environment, which holds the session's
 * `MAESTRO_URL`, `MAESTRO_TOKEN` and `MAESTRO_SESSION_ID`.
 */
export function maestroMcpConfig(program: readonly string[]): { mcpServers: Record<string, unknown> } {
  const [command, ...args] = program;
  return { mcpServers: { maestro: { type: 'stdio', command, args } } };
}

/**
 * `command` with the agent's hooks wired to Maestro, when its command line allows it (docs/design.md
 * §Hooks), so a spawned agent needs no set-up and its repository is not touched: Claude Code gets
 * `--settings` with Maestro's http hooks (the highest settings source but policy); Codex gets
 * `-c notify=[…]`; aider gets `--notifications --notifications-command …`. A command that already
 * sets the option is left alone, as is any other agent. A Claude Code `orchestrator` also gets
 * Maestro's MCP server (`--mcp-config`, issue #25.3).
 */
export function withHooks(
  kind: AgentKind,
  command: readonly string[],
  target: HookTarget,
  role: 'orchestrator' | 'worker' = 'worker',
): string[] {
  const has = (...options: string[]) => command.some((arg) => options.some((o) => arg === o || arg.startsWith(`${o}=`)));
  switch (kind) {
    case 'claude': {
      // An orchestrator gets Maestro's tools too (`--mcp-config`, which adds to the user's servers).
      const mcp =
        role === 'orchestrator' && target.mcpProgram?.length && !has('--mcp-config')
          ? ['--mcp-config', JSON.stringify(maestroMcpConfig(target.mcpProgram))]
          : [];
      if (has('--settings')) return [...command, ...mcp];
      return [...command, '--settings', JSON.stringify({ hooks: claudeHttpHooks(target.url) }), ...mcp];
    }
    case 'codex':
      if (command.some((arg) => arg.startsWith('notify='))) return [...command];
      return [...command, '-c', `notify=${JSON.stringify([...target.hookProgram, 'codex'])}`];
    case 'aider':
      if (has('--notifications-command')) return [...command];
      return [...command, '--notifications', '--notifications-command', shellWords([...target.hookProgram, 'aider'])];
    default:
      return [...command];
  }
}
