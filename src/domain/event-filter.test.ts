import { describe, expect, it } from 'vitest';
import { EVENT_TYPES, type MaestroEvent, type NewEvent } from './event.js';
import { EVENT_TYPE_PREFIXES, eventSelector, eventTypesParam, projectsStated, typePatternProblem } from './event-filter.js';

let seq = 0;
const event = (e: NewEvent): MaestroEvent =>
  ({ seq: ++seq, id: `evt_${seq}`, at: '2026-03-01T10:00:00.000Z', ...e }) as MaestroEvent;
const ended = (id: string, projectId: string) => ({
  id,
  projectId,
  taskIds: [],
  status: 'failed' as const,
  endReason: 'timed_out' as const,
  exitCode: null,
  completedAt: '2026-03-01T10:00:00.000Z',
  updatedAt: '2026-03-01T10:00:00.000Z',
  version: 2,
});

/** Sessions A and B of project P, C of project Q; what the store knows of their projects. */
const PROJECTS: Record<string, string> = { sess_a: 'proj_p', sess_b: 'proj_p', sess_c: 'proj_q' };
const projectOf = (id: string) => PROJECTS[id];

const agentState = (id: string) =>
  event({
    type: 'session:agent_state',
    data: { id, from: 'working', to: 'idle', at: 'x', version: 3, waitingFor: null, lastActivityAt: 'x' },
  });
const link = (sessionId: string) => event({ type: 'session:task_added', data: { sessionId, taskId: 'task_t' } });
const deleted = (id: string, projectId: string) =>
  event({ type: 'session:deleted', data: { id, projectId, taskIds: [], reason: 'deleted' } });
const projectDeleted = (id: string) => event({ type: 'project:deleted', data: { id, name: 'n' } });
const taskDeleted = (projectId: string) => event({ type: 'task:deleted', data: { id: 'task_t', projectId } });
const loopFailed = () => event({ type: 'loop:failed', data: { loop: 'sweeper', message: 'm' } });
const bulkEnded = () =>
  event({
    type: 'sessions:ended',
    data: { reason: 'timed_out', sessions: [ended('sess_a', 'proj_p'), ended('sess_c', 'proj_q')] },
  });
const bulkPurged = () =>
  event({
    type: 'sessions:purged',
    data: {
      reason: 'purged',
      sessions: [
        { id: 'sess_a', projectId: 'proj_p', taskIds: [] },
        { id: 'sess_b', projectId: 'proj_p', taskIds: [] },
        { id: 'sess_c', projectId: 'proj_q', taskIds: [] },
      ],
    },
  });

describe('event filters', () => {
  it('without any field, lets everything through unchanged (no selector at all)', () => {
    expect(eventSelector({})).toBeUndefined();
  });

  it('a session filter keeps the events about that session only: its own, its links, its entries of a batch', () => {
    const a = eventSelector({ sessionId: 'sess_a' });
    const pick = (e: MaestroEvent) => a?.select(e, projectOf);
    for (const mine of [agentState('sess_a'), link('sess_a'), deleted('sess_a', 'proj_p')]) expect(pick(mine)).toBe(mine);
    for (const other of [agentState('sess_b'), link('sess_c'), deleted('sess_b', 'proj_p'), projectDeleted('proj_p')])
      expect(pick(other)).toBeUndefined();
    // Not about any session: a task's or a loop's own events.
    expect(pick(taskDeleted('proj_p'))).toBeUndefined();
    expect(pick(loopFailed())).toBeUndefined();
  });

  it('narrows a batch to the matching entries in a copy, leaving the shared event as it was', () => {
    const batch = bulkPurged();
    const before = structuredClone(batch);
    const mine = eventSelector({ sessionId: 'sess_b' })?.select(batch, projectOf);
    expect(mine).toEqual({
      ...batch,
      data: { reason: 'purged', sessions: [{ id: 'sess_b', projectId: 'proj_p', taskIds: [] }] },
    });
    expect(batch).toEqual(before);
    // A batch holding nothing of the filter's is not delivered; one wholly of it goes as it is.
    expect(eventSelector({ sessionId: 'sess_x' })?.select(batch, projectOf)).toBeUndefined();
    const ends = bulkEnded();
    expect(eventSelector({ projectId: 'proj_q' })?.select(ends, projectOf)?.data).toEqual({
      reason: 'timed_out',
      sessions: [ended('sess_c', 'proj_q')],
    });
    const onlyP = event({ type: 'sessions:ended', data: { reason: 'timed_out', sessions: [ended('sess_a', 'proj_p')] } });
    expect(eventSelector({ projectId: 'proj_p' })?.select(onlyP, projectOf)).toBe(onlyP);
  });

  it('a project filter keeps the project, its tasks and its sessions, looking up the project of events that name only a session', () => {
    const p = eventSelector({ projectId: 'proj_p' });
    const pick = (e: MaestroEvent) => p?.select(e, projectOf);
    for (const mine of [
      projectDeleted('proj_p'),
      taskDeleted('proj_p'),
      deleted('sess_b', 'proj_p'),
      agentState('sess_a'),
      link('sess_b'),
    ])
      expect(pick(mine)).toBe(mine);
    for (const other of [
      projectDeleted('proj_q'),
      taskDeleted('proj_q'),
      deleted('sess_c', 'proj_q'),
      agentState('sess_c'),
      loopFailed(),
    ])
      expect(pick(other)).toBeUndefined();
    // A session whose project is not known is nobody's.
    expect(p?.select(agentState('sess_gone'), () => undefined)).toBeUndefined();
    // Which sessions it must look up: those of events naming no project.
    expect(p?.unplaced(agentState('sess_a'))).toEqual(['sess_a']);
    expect(p?.unplaced(link('sess_b'))).toEqual(['sess_b']);
    expect(p?.unplaced(deleted('sess_b', 'proj_p'))).toEqual([]);
    expect(p?.unplaced(bulkEnded())).toEqual([]);
    expect(eventSelector({ sessionId: 'sess_a' })?.unplaced(agentState('sess_a'))).toEqual([]);
    expect(eventSelector({ projectId: 'proj_p', types: ['project:*'] })?.unplaced(agentState('sess_a'))).toEqual([]);
  });

  it('every field given must match: session and project together, and types', () => {
    const both = eventSelector({ sessionId: 'sess_a', projectId: 'proj_q' });
    expect(both?.select(agentState('sess_a'), projectOf)).toBeUndefined();
    expect(both?.select(bulkPurged(), projectOf)).toBeUndefined();
    const typed = eventSelector({ sessionId: 'sess_a', types: ['session:ended', 'sessions:*'] });
    expect(typed?.select(agentState('sess_a'), projectOf)).toBeUndefined();
    expect(typed?.select(bulkEnded(), projectOf)?.data).toEqual({ reason: 'timed_out', sessions: [ended('sess_a', 'proj_p')] });
  });

  it('types match exact names and prefix globs; session:* is not sessions:*', () => {
    const types = eventSelector({ types: ['session:*', 'project:deleted'] });
    const pass = (e: MaestroEvent) => types?.select(e, projectOf) === e;
    expect(pass(agentState('sess_c'))).toBe(true);
    expect(pass(link('sess_c'))).toBe(true);
    expect(pass(projectDeleted('proj_q'))).toBe(true);
    expect(pass(bulkEnded())).toBe(false);
    expect(pass(taskDeleted('proj_p'))).toBe(false);
    expect(pass(loopFailed())).toBe(false);
  });

  it('the types field takes known types and prefixes only, naming what it refuses', () => {
    expect(eventTypesParam.parse(' session:* , project:deleted,')).toEqual(['session:*', 'project:deleted']);
    expect(EVENT_TYPE_PREFIXES).toEqual(['project', 'task', 'session', 'sessions', 'loop', 'queue']);
    for (const t of EVENT_TYPES) expect(typePatternProblem(t)).toBeUndefined();
    expect(typePatternProblem('session:nope')).toContain('unknown event type "session:nope"');
    expect(typePatternProblem('nope:*')).toBe(
      `unknown event type prefix "nope:*"; known prefixes: ${EVENT_TYPE_PREFIXES.map((p) => `${p}:*`).join(', ')}`,
    );
    expect(typePatternProblem('nope:*')).toContain('session:*, ');
    expect(typePatternProblem('session')).toContain('unknown event type');
    expect(typePatternProblem('*')).toContain('unknown event type');
    expect(eventTypesParam.safeParse('').success).toBe(false);
    expect(eventTypesParam.safeParse(' , ').error?.issues.map((i) => i.message)).toEqual([
      'expected at least one event type or prefix glob',
    ]);
    expect(eventTypesParam.safeParse('session:*,bogus').error?.issues.map((i) => i.message)).toEqual([
      expect.stringContaining('"bogus"'),
    ]);
  });

  it('learns the project of every session an event states it of', () => {
    expect(projectsStated(deleted('sess_b', 'proj_p'))).toEqual([['sess_b', 'proj_p']]);
    expect(projectsStated(bulkEnded())).toEqual([
      ['sess_a', 'proj_p'],
      ['sess_c', 'proj_q'],
    ]);
    expect(projectsStated(agentState('sess_a'))).toEqual([]);
    expect(projectsStated(taskDeleted('proj_p'))).toEqual([]);
  });
});
