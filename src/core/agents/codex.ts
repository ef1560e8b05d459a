import type { AgentScreen } from './types.js';

/**
 * Codex CLI's screen (docs/agents.md §2a; `@openai/codex` 0.171.0). Approvals take the letter shown
 * after each option (`(y)`, `(a)`) or Esc; questions are picked with the arrows and Enter.
 */
export const codex: AgentScreen = {
  kind: 'codex',
  source: '@openai/codex 0.171.0 (docs/agents.md §2a)',
  programs: ['codex', '@openai/codex'],
  prompts: [
    { reason: 'permission', marker: /^Would you like to .+\?$/ },
    { reason: 'question', marker: /^Question \d+\/\d+/ },
  ],
  choice: /^(?:›\s*)?(\d+)\.\s+(.+)$/,
  working: [/\besc to interrupt\)$/, /^• Working \(/],
  idle: [/^› Ask Codex to do anything$/],
  choiceKeys: (index, choices, reason) => {
    if (reason === 'question') return [...Array<string>(index).fill('Down'), 'Enter'];
    const hint = /\((\w|esc)\)$/.exec(choices[index] ?? '')?.[1];
    return [hint === 'esc' || hint === undefined ? 'Escape' : hint];
  },
};
