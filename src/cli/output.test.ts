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
  it('flags a live session waiting for input, and shows a default name (its id) as -', () => {
    const waiting = session('sess_wait', {
      name: 'login-page',
      status: 'implementing',
      needsInput: { active: true, reason: 'question', message: 'which db?', since: new Date(NOW).toISOString() },
    });
    const plain = session('sess_plain');
    const [header, first, second] = prettySessions([waiting, plain]).split('\n');
    expect(header).toMatch(/^ID\s+STATUS\s+PHASE\s+NAME\s+PROJECT/);
    expect(first).toMatch(/^sess_wait\s+implementing \(needs input: question\)\s+-\s+login-page\s+proj_a/);
    expect(second).toMatch(/^sess_plain\s+initializing\s+-\s+-\s+proj_a/);
  });

  it('does not flag an ended session that was waiting', () => {
    const ended = session('sess_done', {
      status: 'completed',
      completedAt: new Date(NOW).toISOString(),
      endReason: 'completed',
      needsInput: { active: true, reason: 'idle', message: null, since: new Date(NOW).toISOString() },
    });
    expect(prettySessions([ended])).not.toContain('needs input');
  });
});
