import { z } from 'zod';
import { AGENT_STATES, WAITING_REASONS } from './agent.js';
import { projectIdSchema } from './project.js';
import { type Session, sessionIdSchema, sessionSchema } from './session.js';
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

/** What a summary is made of: a session, or the columns a list reads for one. */
export type SummarySource = Pick<
  Session,
  | 'id'
  | 'name'
  | 'projectId'
  | 'taskIds'
  | 'status'
  | 'agentState'
  | 'createdAt'
  | 'lastActivityAt'
  | 'completedAt'
  | 'endReason'
  | 'parentSessionId'
  | 'role'
  | 'version'
> & {
  waitingFor: { reason: SessionSummary['waitingReason'] & string } | null;
  runtime: { exitCode: number | null; unreachable?: boolean | undefined };
  statistics: { model: string | null; costUsd: number; tokens: { input: number; output: number } };
};

/** The summary of a session (see {@link sessionSummarySchema} for what is left out when). */
export function sessionSummary(s: SummarySource): SessionSummary {
  const summary: SessionSummary = {
    id: s.id,
    projectId: s.projectId,
    taskIds: s.taskIds,
    status: s.status,
    agentState: s.agentState,
    createdAt: s.createdAt,
    lastActivityAt: s.lastActivityAt,
    version: s.version,
  };
  if (s.name !== s.id) summary.name = s.name;
  if (s.waitingFor) summary.waitingReason = s.waitingFor.reason;
  if (s.completedAt !== null) summary.completedAt = s.completedAt;
  if (s.endReason !== null) summary.endReason = s.endReason;
  if (s.runtime.exitCode !== null) summary.exitCode = s.runtime.exitCode;
  if (s.statistics.model !== null) {
    summary.tokens = s.statistics.tokens.input + s.statistics.tokens.output;
    summary.costUsd = s.statistics.costUsd;
  }
  if (s.parentSessionId !== null) summary.parentSessionId = s.parentSessionId;
  if (s.role === 'orchestrator') summary.role = 'orchestrator';
  if (s.runtime.unreachable) summary.unreachable = true;
  return summary;
}

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
