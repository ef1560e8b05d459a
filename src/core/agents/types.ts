import type { AgentKind, WaitingFor } from '../../domain/index.js';

export type { AgentKind, WaitingFor };

/** What one screen says about its agent: at work, waiting (and for what), idle at its prompt, or nothing known. */
export type ScreenReading =
  | { state: 'working' }
  | { state: 'waiting'; waitingFor: WaitingFor }
  | { state: 'idle' }
  | { state: 'unknown' };

/** A prompt that asks the user, found on a screen. */
export interface PromptPattern {
  reason: 'permission' | 'question';
  /** A line that marks the prompt: the question itself, or (with `footer`) the hint line under its choices. */
  marker: RegExp;
  /** The marker is the hint line under the choices, not the question above them. */
  footer?: boolean;
  /** Lines above the marker that belong to the question (a command, a file), up to a rule line. Default 0. */
  contextAbove?: number;
  /** Counts only when choices follow (a line ending in `?` alone says nothing). */
  needsChoices?: boolean;
}

/**
 * One agent's screen, as data: what its screen shows when it asks permission, asks a question,
 * works or waits at its prompt, each pattern with the source it was read from (docs/agents.md).
 * Patterns are matched against lines with box-drawing borders stripped.
 */
export interface AgentScreen {
  kind: AgentKind;
  /** The agent's version these patterns were read from, and where. */
  source: string;
  /** Program names (the basename of the command's first word, or an npm package run by npx) that mean this agent. */
  programs: readonly string[];
  /** Prompts asking the user, checked first: a prompt on screen means waiting, whatever else shows. */
  prompts: readonly PromptPattern[];
  /** A numbered choice of a prompt, on a line of its own: group 1 its number, group 2 its label. */
  choice: RegExp;
  /** Choices offered on one line (aider's `(Y)es/(N)o`, opencode's permission bar): their labels, or undefined. */
  inlineChoices?: (line: string) => string[] | undefined;
  /** Lines that show the agent at work (a spinner, "esc to interrupt"). */
  working: readonly RegExp[];
  /** Lines that show the agent idle at its input prompt. */
  idle: readonly RegExp[];
  /**
   * How a restart resumes the agent's conversation: `add` is appended to its command unless one
   * of `already` is there. Absent: the agent starts afresh.
   */
  resume?: { add: readonly string[]; already: readonly string[] };
  /**
   * The keys that pick choice `index` (0-based) among `choices`, as tmux key names (`Enter`,
   * `Down`, `1`, `y`): what the agent's prompt expects.
   */
  choiceKeys(index: number, choices: readonly string[], reason: 'permission' | 'question'): string[];
}
