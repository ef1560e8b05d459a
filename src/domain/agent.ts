import { z } from 'zod';
import { LIMITS } from './limits.js';

/** The agents Maestro knows by their screens and hooks; `generic` is any other command. */
export const AGENT_KINDS = ['claude', 'codex', 'gemini', 'aider', 'opencode', 'generic'] as const;
export type AgentKind = (typeof AGENT_KINDS)[number];

/**
 * What an agent is doing now, beside the workflow status (docs/design.md §Agent state): `starting`
 * (spawned, nothing shown yet), `working` (output flowing, or a spinner), `waiting` (for its user:
 * see `waitingFor`), `idle` (at its prompt, or a screen unchanged for `MAESTRO_IDLE_SECS`),
 * `exited` (the session ended).
 */
export const AGENT_STATES = ['starting', 'working', 'waiting', 'idle', 'exited'] as const;
export type AgentState = (typeof AGENT_STATES)[number];

/** Why an agent waits for its user, as its screen shows it. */
export const WAITING_REASONS = ['permission', 'question', 'idle_prompt', 'unknown'] as const;

/** What a waiting agent asks: the question as shown, and the choices it offers, in order (none for free text). */
export const waitingForSchema = z.object({
  reason: z.enum(WAITING_REASONS),
  /** The question's text as the screen shows it (a few lines at most). */
  message: z.string(),
  choices: z.array(z.string()).optional(),
});
export type WaitingFor = z.output<typeof waitingForSchema>;

/** `GET /api/sessions/:id/prompt`: what the agent's screen shows now, read by its agent's detector. */
export const promptSchema = z.object({
  agent: z.enum(AGENT_KINDS),
  state: z.enum(['working', 'waiting', 'idle', 'unknown']),
  waitingFor: waitingForSchema.nullable(),
});
export type Prompt = z.output<typeof promptSchema>;

/**
 * Body of `POST /api/sessions/:id/answer`: `choice`, the 1-based number of an offered choice, or
 * `text`: a choice's label, or the answer to a free-text question.
 */
export const answerInput = z
  .strictObject({
    choice: z.number().int().min(1).max(LIMITS.listItems).optional(),
    text: z.string().min(1).max(LIMITS.text).optional(),
  })
  .refine((b) => (b.choice === undefined) !== (b.text === undefined), { message: 'expected choice or text (one of them)' });
export type AnswerInput = z.input<typeof answerInput>;
