/** The agents Maestro knows by their screens and hooks; `generic` is any other command. */
export const AGENT_KINDS = ['claude', 'codex', 'gemini', 'aider', 'opencode', 'generic'] as const;
export type AgentKind = (typeof AGENT_KINDS)[number];
