import type { Session } from './session.js';
import type { SessionSummary } from './session-summary.js';

// Types only above: this module is bundled into the dashboard (applyToSummaries), which carries no zod.

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
