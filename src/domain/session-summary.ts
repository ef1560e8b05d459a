import { z } from 'zod';
import { AGENT_STATES, WAITING_REASONS } from './agent.js';
import { projectIdSchema } from './project.js';
import { sessionIdSchema, sessionSchema } from './session.js';
import { END_REASONS, SESSION_STATUSES } from './session-state.js';

/**
 * A session as lists show it (`GET /api/sessions`, docs/design.md §Lists): the fields a list draws,
 * small enough that 1,000 of them stay under 350 KB. Keys of what is not known or not the case are
 * left out rather than sent as null: `name` when it is the id (the default), `waitingReason` unless
 * waiting, `completedAt`/`endReason`/`exitCode` while live, `tokens`/`costUsd` until known,
 * `parentSessionId` without a parent, `role` for a `worker`, `unreachable` unless its node is.
 * Events carry every field a summary shows, so a client builds its state from summaries plus events.
 */
export const sessionSummarySchema = z.object({
  id: sessionIdSchema,
  name: z.string().optional(),
  projectId: projectIdSchema,
  taskIds: z.array(z.string()),
  status: z.enum(SESSION_STATUSES),
  agentState: z.enum(AGENT_STATES).nullable(),
  waitingReason: z.enum(WAITING_REASONS).optional(),
  createdAt: z.string(),
  lastActivityAt: z.string(),
  completedAt: z.string().optional(),
  endReason: z.enum(END_REASONS).optional(),
  exitCode: z.number().int().optional(),
  /** Input plus output tokens, when the agent's transcript told them. */
  tokens: z.number().int().optional(),
  /** Estimated cost in US dollars, when known. */
  costUsd: z.number().optional(),
  parentSessionId: sessionIdSchema.optional(),
  role: z.literal('orchestrator').optional(),
  /** Its node stopped heartbeating: not known dead, not known alive. */
  unreachable: z.literal(true).optional(),
  version: z.number().int(),
});
export type SessionSummary = z.infer<typeof sessionSummarySchema>;

/**
 * A session in a list with `?view=full`: every field but the kept output, which comes only with
 * `?include=output` (a list of ended sessions would otherwise carry 200 lines each).
 */
export const sessionListItemSchema = sessionSchema.extend({ output: z.array(z.string()).optional() });
export type SessionListItem = z.infer<typeof sessionListItemSchema>;

/**
 * What a wait answers: the session that matched and the state it reached (`changed` for `any`;
 * `ended` and `deleted` are always reported), with its summary (null once deleted); or
 * `matched: false` when the time ran out first.
 */
export const waitResultSchema = z.object({
  matched: z.boolean(),
  sessionId: sessionIdSchema.nullable(),
  state: z.enum(['waiting', 'idle', 'ended', 'changed', 'deleted']).nullable(),
  session: sessionSummarySchema.nullable(),
});
export type WaitResult = z.infer<typeof waitResultSchema>;

export { type SummarySource, sessionSummary } from './summaries.js';
