import type { AgentScreen } from './types.js';

/**
 * Claude Code's screen (docs/agents.md §1a; `@anthropic-ai/claude-code` 2.1.197, strings from the
 * shipped binary). Digits pick a choice at once; arrows and Enter work too; Esc cancels.
 */
export const claude: AgentScreen = {
  kind: 'claude',
  source: '@anthropic-ai/claude-code 2.1.197 (docs/agents.md §1a)',
  programs: ['claude', '@anthropic-ai/claude-code'],
  prompts: [
    // Every tool's permission dialog: a title ("Bash command"), the command, then the question.
    { reason: 'permission', marker: /^Do you want to (?:proceed|make this edit to .+|create .+)\?$/, contextAbove: 4 },
    // AskUserQuestion: numbered choices, then "Enter to select · ↑/↓ to navigate · Esc to cancel".
    { reason: 'question', marker: /^Enter to select · .*Esc to cancel$/, footer: true },
  ],
  choice: /^(?:❯\s*)?(\d+)\.\s+(.+)$/,
  working: [/^esc to interrupt\b/, /^[·✢*✶✻✽✳]\s+\S+…/],
  idle: [/^\? for shortcuts$/],
  choiceKeys: (index) => [String(index + 1)],
  // `claude --continue` resumes the most recent conversation in its directory (docs/agents.md §1d).
  resume: { add: ['--continue'], already: ['--continue', '-c', '--resume', '-r'] },
};
