import type { HookAgent, HookInput } from '../../domain/index.js';
import type { AgentStateChange } from '../sessions/agent-states.js';

/** What one hook report says: the agent's move (none: just a sign of life), and where its transcript is. */
export interface HookReading {
  change: AgentStateChange | undefined;
  /** The tool it is about to run or ran (Claude Code's and Gemini CLI's tool hooks). */
  tool?: string;
  /** The agent's own transcript (token usage), when the hook names it. */
  transcriptPath?: string;
}

const working: AgentStateChange = { state: 'working' };
const waiting = (reason: 'permission' | 'question' | 'idle_prompt' | 'unknown', message: string): AgentStateChange => ({
  state: 'waiting',
  waitingFor: { reason, message },
});

/**
 * Claude Code's hooks (docs/agents.md §1b; `@anthropic-ai/claude-code` 2.1.197): a prompt or a
 * tool at work → working; `PermissionRequest` (as its dialog opens) and a `permission_prompt`
 * notification → waiting for permission; `idle_prompt` → waiting at its prompt; an elicitation →
 * a question; `Stop` → idle (its turn is over); `StopFailure` → waiting (an error to look at).
 */
function claude(input: HookInput): AgentStateChange | undefined {
  switch (input.hook_event_name) {
    case 'UserPromptSubmit':
    case 'PreToolUse':
    case 'PostToolUse':
    case 'PostToolUseFailure':
    case 'SubagentStart':
    case 'PreCompact':
      return working;
    case 'PermissionRequest':
      return waiting('permission', input.tool_name ? `Claude wants to use ${input.tool_name}` : 'Claude needs your permission');
    case 'Notification':
      switch (input.notification_type) {
        case 'permission_prompt':
        case 'worker_permission_prompt':
          return waiting('permission', input.message ?? '');
        case 'idle_prompt':
          return waiting('idle_prompt', input.message ?? '');
        case 'elicitation_dialog':
          return waiting('question', input.message ?? '');
        default:
          // auth_success, elicitation_complete, computer_use_*…: news, not a move.
          return undefined;
      }
    case 'Stop':
      return { state: 'idle' };
    case 'StopFailure':
      return waiting('unknown', input.error ?? 'the turn failed');
    default:
      return undefined;
  }
}

/**
 * Gemini CLI's hooks (docs/agents.md §3b; `@google/gemini-cli` 0.61.0): a prompt, a model call
 * or a tool → working; its only notification (`ToolPermission`, when a confirmation shows) →
 * waiting for permission; `AfterAgent` (the turn's end) → idle.
 */
function gemini(input: HookInput): AgentStateChange | undefined {
  switch (input.hook_event_name) {
    case 'BeforeAgent':
    case 'BeforeTool':
    case 'AfterTool':
    case 'BeforeModel':
    case 'PreCompress':
      return working;
    case 'Notification':
      return waiting('permission', input.message ?? '');
    case 'AfterAgent':
      return { state: 'idle' };
    default:
      return undefined;
  }
}

/**
 * What a hook report of `agent` says (docs/design.md §Hooks). Codex's `notify` runs at each turn's
 * end (`agent-turn-complete`) → idle; Codex's Claude-style hooks read like Claude's. aider's
 * notifications command runs, without a payload, when it waits at its prompt after answering.
 */
export function readHook(agent: HookAgent, input: HookInput): HookReading {
  const transcriptPath = input.transcript_path ?? undefined;
  const tool = input.tool_name;
  const extras = { ...(transcriptPath ? { transcriptPath } : {}), ...(tool ? { tool } : {}) };
  switch (agent) {
    case 'claude':
      return { change: claude(input), ...extras };
    case 'gemini':
      return { change: gemini(input), ...extras };
    case 'codex':
      if (input.type === 'agent-turn-complete') return { change: { state: 'idle' } };
      return { change: claude(input), ...extras };
    case 'aider':
      return { change: waiting('idle_prompt', 'aider is waiting for your input') };
  }
}
