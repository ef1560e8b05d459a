import type { AgentScreen } from './types.js';

/** `(Y)es/(N)o/(D)on't ask again [Yes]:` → `['Yes', 'No', "Don't ask again"]`. */
function lettered(line: string): string[] | undefined {
  const options = /\?\s+((?:\([A-Z]\)[^/[]*\/?)+)\s*\[[^\]]*\]:\s*$/.exec(line)?.[1];
  return options?.split('/').map((o) => o.replace(/^\(([A-Z])\)/, '$1').trim());
}

/**
 * aider's screen (docs/agents.md §4; `Aider-AI/aider` source, `io.py` `confirm_ask`): a question
 * ending `(Y)es/(N)o… [Yes]:`, answered with the option's letter and Enter.
 */
export const aider: AgentScreen = {
  kind: 'aider',
  source: 'Aider-AI/aider io.py confirm_ask (docs/agents.md §4)',
  programs: ['aider', 'aider-chat'],
  prompts: [
    {
      reason: 'permission',
      marker: /^(?:Run shell commands?|Allow edits to .+|Create new file .+)\? \(Y\)es\/\(N\)o.*\]:\s*$/,
      contextAbove: 1,
    },
    { reason: 'question', marker: /^.+\? \(Y\)es\/\(N\)o.*\]:\s*$/, contextAbove: 1 },
  ],
  choice: /^(?!)/,
  inlineChoices: lettered,
  working: [/^[░█\s]*Waiting for /],
  idle: [/^>\s*$/],
  choiceKeys: (index, choices) => [(choices[index] ?? 'No').charAt(0).toLowerCase(), 'Enter'],
};
