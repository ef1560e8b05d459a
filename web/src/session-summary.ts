import type { SessionSummary, SummarySource } from '../../src/client/index.js';

/**
 * The summary of a session, as `sessionSummary` in src/domain/session-summary.ts builds it, for the
 * bundle only: that module also declares the zod schemas, which would come along into the page
 * (about 30 KB gzipped, and ids.ts's node:crypto, which throws in a browser). web/vite.config.ts
 * hands this one to src/domain/summary-events.ts instead; test/dashboard-summary.test.ts checks
 * that both build the same summaries. Remove both once the domain's function lives without zod.
 */
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
