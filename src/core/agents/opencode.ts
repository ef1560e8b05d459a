import type { AgentScreen } from './types.js';

/**
 * opencode's screen (docs/agents.md §5; `opencode-ai` 1.18.33). The permission bar's options sit
 * on one line and are picked with the arrows and Enter.
 */
export const opencode: AgentScreen = {
  kind: 'opencode',
  source: 'opencode-ai 1.18.33 (docs/agents.md §5)',
  programs: ['opencode', 'opencode-ai'],
  prompts: [
    { reason: 'permission', marker: /^△ Permission required$/ },
    { reason: 'question', marker: /^.+\?$/, needsChoices: true },
  ],
  choice: /^(\d+)\.\s+(.+)$/,
  inlineChoices: (line) => (/^Allow once\s{2,}Allow always\s{2,}Reject$/.test(line) ? line.split(/\s{2,}/) : undefined),
  working: [/\besc interrupt\b/],
  idle: [/^Ask anything…/],
  choiceKeys: (index) => [...Array<string>(index).fill('Right'), 'Enter'],
};
