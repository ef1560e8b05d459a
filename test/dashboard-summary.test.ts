import { describe, expect, it } from 'vitest';
import type { SummarySource } from '../src/client/index.js';
import { sessionSummary as domainSummary } from '../src/domain/session-summary.js';
import { sessionSummary } from '../web/src/session-summary.js';

const base: SummarySource = {
  id: 'sess_1',
  name: 'sess_1',
  projectId: 'proj_a',
  taskIds: [],
  status: 'initializing',
  agentState: null,
  createdAt: '2026-05-01T00:00:00.000Z',
  lastActivityAt: '2026-05-01T00:00:00.000Z',
  completedAt: null,
  endReason: null,
  parentSessionId: null,
  role: 'worker',
  version: 1,
  waitingFor: null,
  runtime: { exitCode: null },
  statistics: { model: null, costUsd: 0, tokens: { input: 0, output: 0 } },
};

describe('the bundle’s session summary (web/src/session-summary.ts)', () => {
  it('builds what the domain’s sessionSummary builds, field for field', () => {
    const sources: SummarySource[] = [
      base,
      { ...base, name: 'login', taskIds: ['task_a'], agentState: 'waiting', waitingFor: { reason: 'permission' } },
      {
        ...base,
        status: 'completed',
        agentState: 'exited',
        completedAt: '2026-05-01T01:00:00.000Z',
        endReason: 'completed',
        runtime: { exitCode: 0, unreachable: true },
        statistics: { model: 'opus', costUsd: 1.25, tokens: { input: 10, output: 5 } },
        parentSessionId: 'sess_0',
        role: 'orchestrator',
      },
    ];
    for (const s of sources) expect(sessionSummary(s)).toStrictEqual(domainSummary(s));
  });
});
