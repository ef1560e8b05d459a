import { z } from 'zod';
import { LIMITS } from './limits.js';

/** The agents that report through hooks (`POST /api/hooks/:agent`). */
export const HOOK_AGENTS = ['claude', 'codex', 'gemini', 'aider'] as const;
export type HookAgent = (typeof HOOK_AGENTS)[number];

/** The header a hook names its Maestro session in (Claude Code's http hooks fill it from `$MAESTRO_SESSION_ID`). */
export const HOOK_SESSION_HEADER = 'x-maestro-session';

/** Text an agent sends is cut, not refused: a hook must not fail on a long message. */
const text = z.string().transform((s) => s.slice(0, LIMITS.text));

/**
 * An agent's hook input, as the agent sends it (docs/agents.md): Claude Code's and Gemini CLI's
 * hook JSON (`hook_event_name`, `session_id`, `transcript_path`, `cwd`, and per event
 * `tool_name`, `message`, `notification_type`…), Codex's `notify` JSON (`type:
 * "agent-turn-complete"`), or nothing (aider's notifications command). Fields Maestro does not
 * read are allowed and ignored: the agents add fields from version to version.
 */
export const hookInput = z.looseObject({
  hook_event_name: z.string().max(LIMITS.name).optional(),
  /** Codex `notify`. */
  type: z.string().max(LIMITS.name).optional(),
  session_id: z.string().max(LIMITS.name).optional(),
  transcript_path: z.string().max(LIMITS.path).nullable().optional(),
  cwd: z.string().max(LIMITS.path).optional(),
  tool_name: z
    .string()
    .transform((s) => s.slice(0, LIMITS.name))
    .optional(),
  message: text.optional(),
  title: text.optional(),
  notification_type: z.string().max(LIMITS.name).optional(),
  error: text.optional(),
  model: z.string().max(LIMITS.name).optional(),
});
export type HookInput = z.output<typeof hookInput>;

/** Params of `POST /api/hooks/:agent`. */
export const hookParams = z.strictObject({ agent: z.enum(HOOK_AGENTS) });
