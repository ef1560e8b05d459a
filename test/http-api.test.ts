import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MaestroEvent, Session, Task } from '../src/domain/index.js';
import { Cleanup, testMaestro } from './helpers.js';

type TestMaestro = Awaited<ReturnType<typeof testMaestro>>;

describe('HTTP API (in-process)', () => {
  let cleanup: Cleanup;
  let m: TestMaestro;

  const call = async (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) => {
    const res = await m.app.inject({ method, url, ...(payload === undefined ? {} : { payload: payload as object }) });
    return { status: res.statusCode, body: res.body ? res.json() : undefined };
  };
  const dump = async () => ({
    projects: await m.services.store.listProjects(),
    tasks: await m.services.store.listTasks({ limit: 1000 }),
    sessions: await m.services.store.listSessions({ limit: 1000 }),
    seq: await m.services.store.lastSeq(),
  });
  const events = async (): Promise<MaestroEvent[]> => m.services.store.listEvents(0, 10_000);

  beforeEach(async () => {
    cleanup = new Cleanup();
    m = await testMaestro(cleanup);
    expect((await call('POST', '/api/projects', { id: 'proj_web', name: 'Web', repoPath: m.dir })).status).toBe(201);
    expect((await call('POST', '/api/tasks', { id: 'task_login', projectId: 'proj_web', title: 'Login page' })).status).toBe(201);
    expect((await call('POST', '/api/tasks', { id: 'task_signup', projectId: 'proj_web', title: 'Signup page' })).status).toBe(
      201,
    );
  });
  afterEach(() => cleanup.run());

  it('creates a session linked to its tasks both ways, with events', async () => {
    const { status, body } = await call('POST', '/api/sessions', {
      id: 'sess_one',
      projectId: 'proj_web',
      taskId: 'task_login',
      name: 'one',
    });
    expect(status).toBe(201);
    expect(body).toMatchObject({
      id: 'sess_one',
      status: 'initializing',
      taskIds: ['task_login'],
      messageCount: 0,
      version: 1,
      endReason: null,
    });
    const task = (await call('GET', '/api/tasks/task_login')).body as Task;
    expect(task.sessionIds).toEqual(['sess_one']);
    // A live session on a todo task starts its work (docs/design.md §Task status).
    expect(task.timeline.map((e) => e.type)).toEqual(['created', 'session_started', 'status_changed']);
    expect(task).toMatchObject({ status: 'in_progress', statusBy: 'maestro' });
    const types = (await events()).map((e) => e.type);
    expect(types.slice(-4)).toEqual(['session:created', 'session:task_added', 'task:session_added', 'task:updated']);
  });

  it('gets, lists with filters and reports the snapshot sequence', async () => {
    const a = await call('POST', '/api/sessions', { id: 'sess_a', projectId: 'proj_web', taskIds: ['task_login'] });
    m.clock.advance(1000);
    const b = await call('POST', '/api/sessions', { id: 'sess_b', projectId: 'proj_web', gitContext: { branch: 'feat/b' } });
    // The create answer is exactly what a read returns, with links and without.
    expect(a.body).toEqual((await call('GET', '/api/sessions/sess_a')).body);
    expect(b.body).toEqual((await call('GET', '/api/sessions/sess_b')).body);
    await call('POST', '/api/sessions/sess_b/transition', { status: 'planning' });
    expect((await call('GET', '/api/sessions/sess_a')).body.id).toBe('sess_a');
    const all = await call('GET', '/api/sessions');
    expect(all.body.sessions.map((s: Session) => s.id)).toEqual(['sess_b', 'sess_a']);
    expect(all.body.seq).toBe(await m.services.store.lastSeq());
    const ids = async (q: string) => (await call('GET', `/api/sessions?${q}`)).body.sessions.map((s: Session) => s.id);
    expect(await ids('status=planning')).toEqual(['sess_b']);
    expect(await ids('taskId=task_login')).toEqual(['sess_a']);
    expect(await ids('branch=feat/b')).toEqual(['sess_b']);
    expect(await ids('projectId=proj_web&active=true&limit=1')).toEqual(['sess_b']);
    expect(await ids('recent=1')).toEqual(['sess_b']);
    const createdB = (await call('GET', '/api/sessions/sess_b')).body.createdAt;
    expect(await ids(`created_before=${encodeURIComponent(createdB)}`)).toEqual(['sess_a']);
    expect(await ids(`created_after=${encodeURIComponent(createdB)}`)).toEqual([]);
  });

  it('merges nested statistics on update instead of replacing them, and counts the write as activity', async () => {
    await call('POST', '/api/sessions', {
      id: 'sess_s',
      projectId: 'proj_web',
      statistics: { totalTasks: 5, completedTasks: 1 },
    });
    m.clock.advance(60_000);
    const { status, body } = await call('PATCH', '/api/sessions/sess_s', { statistics: { completedTasks: 3 }, phase: 'plan' });
    expect(status).toBe(200);
    expect(body.statistics).toMatchObject({ totalTasks: 5, completedTasks: 3, failedTasks: 0 });
    expect(body.phase).toBe('plan');
    expect(body.version).toBe(2);
    expect(Date.parse(body.lastActivityAt)).toBe(m.clock.now());
    expect(body.messageCount).toBe(1);
  });

  it('transitions along the table and answers 409 naming the allowed states otherwise', async () => {
    await call('POST', '/api/sessions', { id: 'sess_t', projectId: 'proj_web' });
    expect((await call('POST', '/api/sessions/sess_t/transition', { status: 'planning', phase: 'plan' })).body).toMatchObject({
      status: 'planning',
      phase: 'plan',
    });
    const before = await dump();
    const bad = await call('POST', '/api/sessions/sess_t/transition', { status: 'validating' });
    expect(bad.status).toBe(409);
    expect(bad.body).toMatchObject({
      error: true,
      code: 'invalid_transition',
      details: { from: 'planning', to: 'validating', allowed: ['generating_tasks', 'failed', 'paused'] },
    });
    expect(await dump()).toEqual(before);
  });

  it('touch updates lastActivityAt and messageCount', async () => {
    await call('POST', '/api/sessions', { id: 'sess_h', projectId: 'proj_web' });
    m.clock.advance(5000);
    const one = (await call('POST', '/api/sessions/sess_h/touch')).body as Session;
    expect(one.messageCount).toBe(1);
    expect(Date.parse(one.lastActivityAt)).toBe(m.clock.now());
    m.clock.advance(5000);
    const more = (await call('POST', '/api/sessions/sess_h/touch', { messages: 4 })).body as Session;
    expect(more.messageCount).toBe(5);
    expect(Date.parse(more.lastActivityAt)).toBe(m.clock.now());
    const heartbeat = (await call('POST', '/api/sessions/sess_h/touch', { messages: 0 })).body as Session;
    expect(heartbeat.messageCount).toBe(5);
  });

  it('links and unlinks tasks both ways', async () => {
    await call('POST', '/api/sessions', { id: 'sess_l', projectId: 'proj_web' });
    expect((await call('POST', '/api/sessions/sess_l/tasks/task_signup', {})).body.taskIds).toEqual(['task_signup']);
    expect((await call('GET', '/api/tasks/task_signup')).body.sessionIds).toEqual(['sess_l']);
    expect((await call('DELETE', '/api/sessions/sess_l/tasks/task_signup')).body.taskIds).toEqual([]);
    const task = (await call('GET', '/api/tasks/task_signup')).body as Task;
    expect(task.sessionIds).toEqual([]);
    expect(task.timeline.at(-1)).toMatchObject({ type: 'session_ended', sessionId: 'sess_l', data: { reason: 'unlinked' } });
    expect((await call('DELETE', '/api/sessions/sess_l/tasks/task_signup')).status).toBe(404);
  });

  it('ends a session, recording reason, exit code and completion time', async () => {
    await call('POST', '/api/sessions', { id: 'sess_e', projectId: 'proj_web', taskId: 'task_login' });
    const { body } = await call('POST', '/api/sessions/sess_e/end', { reason: 'killed', exitCode: 137 });
    expect(body).toMatchObject({ status: 'failed', endReason: 'killed', runtime: { exitCode: 137 } });
    expect(Date.parse(body.completedAt)).toBe(m.clock.now());
    expect((await events()).at(-1)).toMatchObject({ type: 'session:ended', data: { id: 'sess_e', status: 'failed' } });
    expect((await call('GET', '/api/tasks/task_login')).body.timeline.at(-1)).toMatchObject({
      type: 'session_ended',
      data: { reason: 'killed' },
    });
    expect((await call('POST', '/api/sessions/sess_e/end', {})).status).toBe(409);
  });

  it('deletes with the full cascade: links gone both ways, timelines told, session:deleted emitted', async () => {
    await call('POST', '/api/sessions', { id: 'sess_d', projectId: 'proj_web', taskIds: ['task_login', 'task_signup'] });
    const { status } = await call('DELETE', '/api/sessions/sess_d');
    expect(status).toBe(204);
    expect((await call('GET', '/api/sessions/sess_d')).status).toBe(404);
    for (const id of ['task_login', 'task_signup']) {
      const task = (await call('GET', `/api/tasks/${id}`)).body as Task;
      expect(task.sessionIds).toEqual([]);
      expect(task.timeline.at(-1)).toMatchObject({ type: 'session_ended', sessionId: 'sess_d', data: { reason: 'deleted' } });
    }
    const tail = (await events()).slice(-5).map((e) => e.type);
    expect(tail).toEqual([
      'session:task_removed',
      'task:session_removed',
      'session:task_removed',
      'task:session_removed',
      'session:deleted',
    ]);
    expect((await call('DELETE', '/api/sessions/sess_d')).status).toBe(404);
  });

  it('task CRUD with timeline', async () => {
    const updated = await call('PATCH', '/api/tasks/task_login', { status: 'in_progress', title: 'Login page v2' });
    expect(updated.body).toMatchObject({ status: 'in_progress', title: 'Login page v2' });
    const timeline = (await call('GET', '/api/tasks/task_login/timeline')).body.timeline;
    expect(timeline.at(-1)).toMatchObject({ type: 'status_changed', data: { from: 'todo', to: 'in_progress' } });
    expect((await call('GET', '/api/tasks?projectId=proj_web&status=in_progress')).body.tasks.map((t: Task) => t.id)).toEqual([
      'task_login',
    ]);
    expect((await call('DELETE', '/api/tasks/task_login')).status).toBe(204);
    expect((await call('GET', '/api/tasks/task_login')).status).toBe(404);
    expect((await call('GET', '/api/projects')).body.projects.map((p: { id: string }) => p.id)).toEqual(['proj_web']);
  });

  describe('bad input: a clear 4xx naming the field, and nothing changed', () => {
    beforeEach(async () => {
      await call('POST', '/api/sessions', { id: 'sess_ok', projectId: 'proj_web', taskId: 'task_login' });
    });

    const cases: [string, 'GET' | 'POST' | 'PATCH' | 'DELETE', string, unknown, number, string, string?][] = [
      [
        'unknown field',
        'POST',
        '/api/sessions',
        { projectId: 'proj_web', colour: 'red' },
        400,
        'validation_failed',
        'body.colour',
      ],
      ['wrong type', 'POST', '/api/sessions', { projectId: 'proj_web', name: 42 }, 400, 'validation_failed', 'body.name'],
      ['missing field', 'POST', '/api/tasks', { projectId: 'proj_web' }, 400, 'validation_failed', 'body.title'],
      ['unknown project', 'POST', '/api/sessions', { projectId: 'proj_nope' }, 400, 'validation_failed', 'body.projectId'],
      [
        'unknown task',
        'POST',
        '/api/sessions',
        { projectId: 'proj_web', taskIds: ['task_nope'] },
        400,
        'validation_failed',
        'body.taskIds.0',
      ],
      ['malformed id', 'POST', '/api/sessions', { id: 'session-1', projectId: 'proj_web' }, 400, 'validation_failed', 'body.id'],
      ['duplicate client id', 'POST', '/api/sessions', { id: 'sess_ok', projectId: 'proj_web' }, 409, 'conflict'],
      ['duplicate project id', 'POST', '/api/projects', { id: 'proj_web', name: 'x', repoPath: '/tmp' }, 409, 'conflict'],
      [
        'relative repo path',
        'POST',
        '/api/projects',
        { name: 'x', repoPath: 'relative/dir' },
        400,
        'validation_failed',
        'body.repoPath',
      ],
      ['unknown session', 'PATCH', '/api/sessions/sess_nope', { name: 'x' }, 404, 'not_found'],
      ['unknown session transition', 'POST', '/api/sessions/sess_nope/transition', { status: 'planning' }, 404, 'not_found'],
      [
        'invalid status',
        'POST',
        '/api/sessions/sess_ok/transition',
        { status: 'sleeping' },
        400,
        'validation_failed',
        'body.status',
      ],
      ['invalid transition', 'POST', '/api/sessions/sess_ok/transition', { status: 'completed' }, 409, 'invalid_transition'],
      [
        'negative statistics',
        'PATCH',
        '/api/sessions/sess_ok',
        { statistics: { totalTasks: -1 } },
        400,
        'validation_failed',
        'body.statistics.totalTasks',
      ],
      [
        'status through PATCH',
        'PATCH',
        '/api/sessions/sess_ok',
        { status: 'completed' },
        400,
        'validation_failed',
        'body.status',
      ],
      ['bad query', 'GET', '/api/sessions?limit=zero', undefined, 400, 'validation_failed', 'query.limit'],
      ['unknown query field', 'GET', '/api/sessions?colour=red', undefined, 400, 'validation_failed', 'query.colour'],
      ['link unknown task', 'POST', '/api/sessions/sess_ok/tasks/task_nope', {}, 404, 'not_found'],
      [
        'spawn with a shell string',
        'POST',
        '/api/sessions/spawn',
        { projectId: 'proj_web', command: 'rm -rf /' },
        400,
        'validation_failed',
        'body.command',
      ],
      [
        'spawn with an empty command',
        'POST',
        '/api/sessions/spawn',
        { projectId: 'proj_web', command: [] },
        400,
        'validation_failed',
        'body.command',
      ],
      [
        'spawn in a missing directory',
        'POST',
        '/api/sessions/spawn',
        { projectId: 'proj_web', command: ['true'], cwd: '/nonexistent/dir' },
        400,
        'validation_failed',
        'body.cwd',
      ],
      [
        'spawn with a bad env name',
        'POST',
        '/api/sessions/spawn',
        { projectId: 'proj_web', command: ['true'], env: { 'A B': '1' } },
        400,
        'validation_failed',
        'body.env.A B',
      ],
      ['unknown route', 'GET', '/api/nothing', undefined, 404, 'route_not_found'],
    ];

    it.each(cases)('%s', async (_name, method, url, payload, status, code, path) => {
      const before = await dump();
      const res = await call(method, url, payload);
      expect(res.status).toBe(status);
      expect(res.body).toMatchObject({ error: true, code });
      expect(typeof res.body.message).toBe('string');
      if (path) expect(res.body.details.issues.map((i: { path: string }) => i.path)).toContain(path);
      expect(await dump()).toEqual(before);
    });

    it('malformed JSON', async () => {
      const before = await dump();
      const res = await m.app.inject({
        method: 'POST',
        url: '/api/sessions',
        headers: { 'content-type': 'application/json' },
        payload: '{"projectId": ',
      });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ error: true, code: 'invalid_json' });
      expect(await dump()).toEqual(before);
    });
  });
});
