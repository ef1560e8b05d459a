import { basename } from 'node:path';
import { aider } from './aider.js';
import { claude } from './claude.js';
import { codex } from './codex.js';
import { gemini } from './gemini.js';
import { opencode } from './opencode.js';
import type { AgentKind, AgentScreen } from './types.js';

export { bareLine, readScreen } from './screen.js';
export * from './types.js';

/** The screens Maestro knows, one file per agent with the source of each pattern. */
export const AGENT_SCREENS: Readonly<Record<Exclude<AgentKind, 'generic'>, AgentScreen>> = {
  claude,
  codex,
  gemini,
  aider,
  opencode,
};

/**
 * The command that starts `command` again and resumes its agent's conversation where the agent
 * knows how (Claude Code: `--continue`); the command itself otherwise.
 */
export function resumeCommand(kind: AgentKind, command: readonly string[]): string[] {
  const resume = kind === 'generic' ? undefined : AGENT_SCREENS[kind].resume;
  if (!resume || command.some((arg) => resume.already.includes(arg))) return [...command];
  return [...command, ...resume.add];
}

/** Launchers that run the program named by a later argument (`npx @openai/codex`, `node …/claude`). */
const LAUNCHERS = new Set(['npx', 'pnpx', 'bunx', 'node', 'bun', 'uvx', 'pipx', 'env']);

/**
 * The agent a command runs, from its program name: the basename of the first word, or, behind a
 * launcher (`npx`, `node`, `env`…), of the first argument that is not an option or an assignment.
 * `generic` for any other command.
 */
export function agentKindOf(command: readonly string[]): AgentKind {
  for (const word of command) {
    // Without a version (`claude@2.1`, `@openai/codex@0.171.0`); a scoped package keeps its scope.
    const bare = word.replace(/(?<=.)@[^@/]*$/, '');
    const name = bare.startsWith('@') ? bare : basename(bare);
    const known = Object.values(AGENT_SCREENS).find((screen) => screen.programs.includes(name));
    if (known) return known.kind;
    // A launcher's options and assignments come before the program it runs.
    if (word.startsWith('-') || word.includes('=')) continue;
    if (!LAUNCHERS.has(name)) return 'generic';
  }
  return 'generic';
}
