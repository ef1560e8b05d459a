import type { AgentScreen } from './types.js';

/** Gemini CLI's screen (docs/agents.md §3a; `@google/gemini-cli` 0.61.0). Digits pick a choice; Esc cancels. */
export const gemini: AgentScreen = {
  kind: 'gemini',
  source: '@google/gemini-cli 0.61.0 (docs/agents.md §3a)',
  programs: ['gemini', '@google/gemini-cli'],
  prompts: [
    { reason: 'permission', marker: /^(?:Allow execution of .+|Apply this change|Allow .+)\?$/, contextAbove: 3 },
    { reason: 'question', marker: /^Enter to select · .*Esc to cancel$/, footer: true },
  ],
  choice: /^(?:●\s*)?(\d+)\.\s+(.+)$/,
  working: [/\(esc to cancel, \d+s\)$/],
  idle: [/^>\s+Type your message or @path\/to\/file$/],
  choiceKeys: (index) => [String(index + 1)],
};
