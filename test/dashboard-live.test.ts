import { describe, expect, it } from 'vitest';
import type { Project, Session, SessionSummary, TypedEvent } from '../src/client/index.js';
import { Live } from '../web/src/live.js';
import { endedRows, sessionRows, words } from '../web/src/rows.js';

const AT = '2026-05-01T00:00:00.000Z';
/** A session as the events carry it, as far as the summaries read one. */
const session = (id: string, projectId = 'proj_a', version = 1): Session =>
  ({
    id,
    name: id,
    projectId,
    taskIds: [],
    status: 'implementing',
    agentState: 'working',
    createdAt: AT,
    lastActivityAt: AT,
    completedAt: null,
    endReason: null,
    parentSessionId: null,
    role: 'worker',
    version,
    waitingFor: null,
    runtime: { exitCode: null },
    statistics: { model: null, costUsd: 0, tokens: { input: 0, output: 0 } },
  }) as unknown as Session;

let seq = 0;
const event = (type: string, data: unknown): TypedEvent => ({ seq: ++seq, type, at: AT, data }) as TypedEvent;

describe('the dashboard’s live cache', () => {
  it('applies a batch once: a live change leaves the ended map as it was, an end moves a session, a delete removes it', () => {
    const live = new Live('http://127.0.0.1:1');
    live.applyBatch([event('session:created', session('sess_a')), event('session:created', session('sess_b'))]);
    expect([...live.snapshot.active.keys()].sort()).toEqual(['sess_a', 'sess_b']);
    const ended = live.snapshot.ended;

    live.applyBatch([
      event('session:agent_state', {
        id: 'sess_a',
        from: 'working',
        to: 'waiting',
        at: AT,
        version: 2,
        lastActivityAt: AT,
        waitingFor: { reason: 'question', message: '?' },
      }),
      event('session:agent_state', {
        id: 'sess_b',
        from: 'working',
        to: 'idle',
        at: AT,
        version: 2,
        lastActivityAt: AT,
        waitingFor: null,
      }),
    ]);
    expect(live.snapshot.ended).toBe(ended);
    expect(live.snapshot.active.get('sess_a')).toMatchObject({ agentState: 'waiting', waitingReason: 'question' });

    live.applyBatch([
      event('session:ended', {
        id: 'sess_a',
        status: 'completed',
        completedAt: AT,
        endReason: 'completed',
        exitCode: 0,
        version: 3,
        projectId: 'proj_a',
        taskIds: [],
      }),
    ]);
    expect(live.snapshot.active.has('sess_a')).toBe(false);
    expect(live.snapshot.ended.get('sess_a')).toMatchObject({ agentState: 'exited', endReason: 'completed' });

    live.applyBatch([event('session:deleted', { id: 'sess_a', projectId: 'proj_a', taskIds: [], reason: 'deleted' })]);
    expect(live.summary('sess_a')).toBeUndefined();
    expect(live.snapshot.seq).toBe(seq);
  });
});

describe('the session list’s rows', () => {
  const summary = (id: string, projectId: string, extra: Partial<SessionSummary> = {}): SessionSummary => ({
    id,
    projectId,
    taskIds: [],
    status: 'implementing',
    agentState: 'working',
    createdAt: AT,
    lastActivityAt: AT,
    version: 1,
    ...extra,
  });
  const projects = new Map([
    ['proj_b', { id: 'proj_b', name: 'beta' } as Project],
    ['proj_a', { id: 'proj_a', name: 'alpha' } as Project],
  ]);

  it('groups live sessions by project name, the waiting first, and folds the ended below', () => {
    const active = new Map([
      ['s1', summary('s1', 'proj_b')],
      ['s2', summary('s2', 'proj_a', { createdAt: '2026-05-01T00:00:01.000Z' })],
      ['s3', summary('s3', 'proj_a', { agentState: 'waiting', waitingReason: 'permission' })],
    ]);
    const ended = new Map([
      ['e1', summary('e1', 'proj_a', { completedAt: '2026-05-01T01:00:00.000Z' })],
      ['e2', summary('e2', 'proj_a', { completedAt: '2026-05-01T02:00:00.000Z' })],
    ]);
    const sorted = endedRows(ended, [], projects, new Map());
    expect(sorted.map((s) => s.id)).toEqual(['e2', 'e1']);
    const rows = sessionRows(active, sorted, false, [], projects, new Map());
    expect(rows.map((r) => (r.kind === 'session' ? r.summary.id : r.kind === 'project' ? r.name : `${r.count} ended`))).toEqual([
      'alpha',
      's3',
      's2',
      'beta',
      's1',
      '2 ended',
    ]);
    expect(rows[0]).toMatchObject({ live: 2, waiting: 1 });
    expect(
      sessionRows(active, sorted, true, [], projects, new Map())
        .slice(-2)
        .map((r) => r.kind),
    ).toEqual(['session', 'session']);
    expect(sessionRows(active, [], false, words('BETA'), projects, new Map()).map((r) => r.kind)).toEqual(['project', 'session']);
  });
});
