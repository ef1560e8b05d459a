import { describe, expect, it } from 'vitest';
import { newSessionRow } from '../core/sessions/session-records.js';
import type { Session } from '../domain/index.js';
import { prettySessions } from './output.js';

const NOW = Date.parse('2026-11-30T10:00:00Z');
const session = (id: string, patch: Partial<Session> = {}): Session => ({
  ...newSessionRow({ id, projectId: 'proj_a', featureRequest: '', phase: null, prdReference: null, taskIds: [] }, NOW),
  taskIds: [],
  ...patch,
});

describe('prettySessions', () => {
  it('shows what each agent is doing first, the reason of a wait, and a default name (its id) as -', () => {
    const waiting = session('sess_wait', {
      name: 'login-page',
      status: 'implementing',
      agentState: 'waiting',
      agentStateSince: new Date(NOW).toISOString(),
      waitingFor: { reason: 'question', message: 'which db?' },
    });
    const working = session('sess_work', { agentState: 'working', agentStateSince: new Date(NOW).toISOString() });
    const plain = session('sess_plain');
    const [header, first, second, third] = prettySessions([waiting, working, plain]).split('\n');
    expect(header).toMatch(/^STATE\s+ID\s+STATUS\s+PHASE\s+NAME\s+PROJECT/);
    expect(first).toMatch(/^waiting: question\s+sess_wait\s+implementing\s+-\s+login-page\s+proj_a/);
    expect(second).toMatch(/^working\s+sess_work\s+initializing/);
    expect(third).toMatch(/^-\s+sess_plain\s+initializing\s+-\s+-\s+proj_a/);
  });

  it('shows an ended agent as exited, never as waiting', () => {
    const ended = session('sess_done', {
      status: 'completed',
      completedAt: new Date(NOW).toISOString(),
      endReason: 'completed',
      agentState: 'exited',
      agentStateSince: new Date(NOW).toISOString(),
    });
    expect(prettySessions([ended]).split('\n')[1]).toMatch(/^exited\s+sess_done/);
  });
});
