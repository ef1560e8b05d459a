import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { MaestroEvent, Project, Session, Task } from '../src/domain/index.js';
import { Cleanup, testMaestro } from './helpers.js';

type TestMaestro = Awaited<ReturnType<typeof testMaestro>>;

/** A project and task tracker people expect (issue #22.4–7), over the in-process API with an injected clock. */
describe('projects, tasks and lineage as a tracker', () => {
  let cleanup: Cleanup;
  let m: TestMaestro;
  afterEach(() => cleanup.run());

  const call = async (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) => {
    const res = await m.app.inject({ method, url, ...(payload ? { payload } : {}) });
    // biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field
    return { status: res.statusCode, body: (res.body ? res.json() : undefined) as any };
  };
  const task = async (id: string): Promise<Task> => (await call('GET', `/api/tasks/${id}`)).body;
  const events = (): Promise<MaestroEvent[]> => m.services.store.listEvents(0, 100_000);

  async function setup(): Promise<void> {
    cleanup = new Cleanup();
    m = await testMaestro(cleanup);
    await call('POST', '/api/projects', { id: 'proj_p', name: 'web', repoPath: m.dir });
    await call('POST', '/api/projects', { id: 'proj_q', name: 'api', repoPath: m.dir });
  }

  describe('projects', () => {
    it('are edited with PATCH, each field, appending project:updated', async () => {
      await setup();
      const other = join(m.dir, 'elsewhere');
      mkdirSync(other);
      m.clock.advance(5000);
      const edited = await call('PATCH', '/api/projects/proj_p', {
        name: 'website',
        description: 'the public site',
        repoPath: other,
        priority: 7,
        agentCommand: ['claude', '--model', 'opus'],
        mergeStrategy: 'fast_forward',
        autoTaskStatus: false,
      });
      expect(edited.status).toBe(200);
      expect(edited.body).toMatchObject({
        name: 'website',
        description: 'the public site',
        repoPath: other,
        priority: 7,
        agentCommand: ['claude', '--model', 'opus'],
        mergeStrategy: 'fast_forward',
        autoTaskStatus: false,
        status: 'running',
      });
      expect(Date.parse(edited.body.updatedAt) - Date.parse(edited.body.createdAt)).toBe(5000);
      expect((await call('GET', '/api/projects/proj_p')).body).toEqual(edited.body);
      expect((await events()).at(-1)).toMatchObject({ type: 'project:updated', data: edited.body });
      // null clears the agent command; fields not given stay.
      const cleared = await call('PATCH', '/api/projects/proj_p', { agentCommand: null });
      expect(cleared.body).toMatchObject({ agentCommand: null, name: 'website', priority: 7 });
    });

    it('refuse a bad edit naming the field, changing nothing', async () => {
      await setup();
      const before = (await call('GET', '/api/projects/proj_p')).body as Project;
      const seq = (await events()).length;
      for (const [body, field] of [
        [{ repoPath: join(m.dir, 'missing') }, 'body.repoPath'],
        [{ repoPath: 'relative/path' }, 'body.repoPath'],
        [{ name: '  ' }, 'body.name'],
        [{ priority: 1.5 }, 'body.priority'],
        [{ mergeStrategy: 'squash' }, 'body.mergeStrategy'],
        [{ status: 'completed' }, 'body.status'],
      ] as const) {
        const answer = await call('PATCH', '/api/projects/proj_p', body);
        expect(answer.status, JSON.stringify(body)).toBe(400);
        expect(answer.body.details.issues.map((i: { path: string }) => i.path)).toContain(field);
      }
      expect((await call('PATCH', '/api/projects/proj_nope', { name: 'x' })).status).toBe(404);
      expect((await call('GET', '/api/projects/proj_p')).body).toEqual(before);
      expect(await events()).toHaveLength(seq);
    });

    it('are listed by exact name with ?name=', async () => {
      await setup();
      expect((await call('GET', '/api/projects?name=web')).body.projects.map((p: Project) => p.id)).toEqual(['proj_p']);
      expect((await call('GET', '/api/projects?name=we')).body.projects).toEqual([]);
      expect((await call('GET', '/api/projects')).body.projects).toHaveLength(2);
    });
  });

  describe('tasks', () => {
    it('list highest priority first, then newest, and by exact title with ?name=', async () => {
      await setup();
      await call('POST', '/api/tasks', { id: 'task_low', projectId: 'proj_p', title: 'low', priority: -1 });
      m.clock.advance(1000);
      await call('POST', '/api/tasks', { id: 'task_old', projectId: 'proj_p', title: 'same' });
      m.clock.advance(1000);
      await call('POST', '/api/tasks', { id: 'task_new', projectId: 'proj_p', title: 'same' });
      await call('POST', '/api/tasks', { id: 'task_top', projectId: 'proj_p', title: 'urgent', priority: 10 });
      const ids = (await call('GET', '/api/tasks?projectId=proj_p')).body.tasks.map((t: Task) => t.id);
      expect(ids).toEqual(['task_top', 'task_new', 'task_old', 'task_low']);
      const same = (await call('GET', '/api/tasks?name=same')).body.tasks.map((t: Task) => t.id);
      expect(same).toEqual(['task_new', 'task_old']);
      expect((await call('POST', '/api/tasks', { projectId: 'proj_p', title: 'x', priority: 5000 })).status).toBe(400);
    });

    it('have subtasks in the same project, never their own ancestors, and take them along when deleted', async () => {
      await setup();
      await call('POST', '/api/tasks', { id: 'task_epic', projectId: 'proj_p', title: 'epic' });
      const child = await call('POST', '/api/tasks', {
        id: 'task_child',
        projectId: 'proj_p',
        title: 'child',
        parentId: 'task_epic',
      });
      expect(child.body).toMatchObject({ parentId: 'task_epic' });
      await call('POST', '/api/tasks', { id: 'task_grand', projectId: 'proj_p', title: 'grand', parentId: 'task_child' });
      await call('POST', '/api/tasks', { id: 'task_else', projectId: 'proj_q', title: 'elsewhere' });
      expect((await call('GET', '/api/tasks/task_epic/children')).body.tasks.map((t: Task) => t.id)).toEqual(['task_child']);
      expect((await call('GET', '/api/tasks?parentId=task_child')).body.tasks.map((t: Task) => t.id)).toEqual(['task_grand']);
      expect((await call('GET', '/api/tasks/task_nope/children')).status).toBe(404);

      const refusals: [string, string, object, string][] = [
        ['POST', '/api/tasks', { projectId: 'proj_q', title: 'x', parentId: 'task_epic' }, 'belongs to project proj_p'],
        ['POST', '/api/tasks', { projectId: 'proj_p', title: 'x', parentId: 'task_nope' }, 'task_nope does not exist'],
        ['PATCH', '/api/tasks/task_epic', { parentId: 'task_epic' }, 'is this task'],
        ['PATCH', '/api/tasks/task_epic', { parentId: 'task_grand' }, 'a subtask of this task'],
        ['PATCH', '/api/tasks/task_child', { parentId: 'task_else' }, 'belongs to project proj_q'],
      ];
      for (const [method, url, body, message] of refusals) {
        const answer = await call(method as 'POST', url, body);
        expect(answer.status, `${method} ${url} ${JSON.stringify(body)}`).toBe(400);
        expect(answer.body.details.issues).toEqual([{ path: 'body.parentId', message: expect.stringContaining(message) }]);
      }
      expect((await task('task_epic')).parentId).toBeNull();

      // Moved to the top, then under another parent.
      expect((await call('PATCH', '/api/tasks/task_grand', { parentId: null })).body.parentId).toBeNull();
      expect((await call('PATCH', '/api/tasks/task_grand', { parentId: 'task_epic' })).body.parentId).toBe('task_epic');

      await call('PATCH', '/api/tasks/task_grand', { parentId: 'task_child' });
      expect((await call('DELETE', '/api/tasks/task_epic')).status).toBe(204);
      for (const id of ['task_epic', 'task_child', 'task_grand'])
        expect((await call('GET', `/api/tasks/${id}`)).status).toBe(404);
      expect((await call('GET', '/api/tasks/task_else')).status).toBe(200);
      const deleted = (await events()).filter((e) => e.type === 'task:deleted').map((e) => (e.data as { id: string }).id);
      expect(deleted.sort()).toEqual(['task_child', 'task_epic', 'task_grand']);
    });

    it('record when work started and when they were closed, and who set the status', async () => {
      await setup();
      const created = (await call('POST', '/api/tasks', { id: 'task_t', projectId: 'proj_p', title: 't' })).body as Task;
      expect(created).toMatchObject({ status: 'todo', statusBy: null, startedAt: null, completedAt: null });
      m.clock.advance(60_000);
      const started = (await call('PATCH', '/api/tasks/task_t', { status: 'in_progress' })).body as Task;
      expect(started).toMatchObject({ status: 'in_progress', statusBy: 'person', completedAt: null });
      expect(Date.parse(started.startedAt as string) - Date.parse(created.createdAt)).toBe(60_000);
      m.clock.advance(60_000);
      const done = (await call('PATCH', '/api/tasks/task_t', { status: 'done' })).body as Task;
      expect(Date.parse(done.completedAt as string) - Date.parse(created.createdAt)).toBe(120_000);
      expect(done.startedAt).toBe(started.startedAt);
      m.clock.advance(60_000);
      const reopened = (await call('PATCH', '/api/tasks/task_t', { status: 'todo' })).body as Task;
      expect(reopened).toMatchObject({ completedAt: null, startedAt: started.startedAt });
      expect(reopened.timeline.filter((e) => e.type === 'status_changed').map((e) => e.data)).toEqual([
        { from: 'todo', to: 'in_progress', by: 'person' },
        { from: 'in_progress', to: 'done', by: 'person' },
        { from: 'done', to: 'todo', by: 'person' },
      ]);
      // Created already closed: closed at creation.
      const closed = (await call('POST', '/api/tasks', { projectId: 'proj_p', title: 'c', status: 'done' })).body as Task;
      expect(closed).toMatchObject({ startedAt: closed.createdAt, completedAt: closed.createdAt, statusBy: null });
    });

    it('take notes on their timeline', async () => {
      await setup();
      await call('POST', '/api/tasks', { id: 'task_t', projectId: 'proj_p', title: 't' });
      const note = await call('POST', '/api/tasks/task_t/timeline', { message: 'asked for a smaller diff' });
      expect(note.status).toBe(201);
      expect(note.body).toMatchObject({ type: 'note', data: { message: 'asked for a smaller diff' } });
      expect((await task('task_t')).timeline.at(-1)).toEqual(note.body);
      expect((await events()).at(-1)).toMatchObject({ type: 'task:updated', data: { id: 'task_t' } });
      const empty = await call('POST', '/api/tasks/task_t/timeline', { message: '   ' });
      expect(empty.status).toBe(400);
      expect(empty.body.details.issues[0].path).toBe('body.message');
      expect((await call('POST', '/api/tasks/task_nope/timeline', { message: 'x' })).status).toBe(404);
    });
  });

  describe('task status follows its sessions', () => {
    const statuses = async (id: string) =>
      (await task(id)).timeline.filter((e) => e.type === 'status_changed').map((e) => `${e.data?.to} by ${e.data?.by}`);

    it('first session → in_progress; all ended completed → in_review; a person marks it done', async () => {
      await setup();
      await call('POST', '/api/tasks', { id: 'task_t', projectId: 'proj_p', title: 't' });
      m.clock.advance(1000);
      await call('POST', '/api/sessions', { id: 'sess_a', projectId: 'proj_p', taskId: 'task_t' });
      await call('POST', '/api/sessions', { id: 'sess_b', projectId: 'proj_p', taskId: 'task_t' });
      const working = await task('task_t');
      expect(working).toMatchObject({ status: 'in_progress', statusBy: 'maestro' });
      expect(Date.parse(working.startedAt as string) - Date.parse(working.createdAt)).toBe(1000);
      await call('POST', '/api/sessions/sess_a/end', { reason: 'completed' });
      expect((await task('task_t')).status).toBe('in_progress'); // sess_b still works
      await call('POST', '/api/sessions/sess_b/end', { reason: 'completed' });
      expect(await task('task_t')).toMatchObject({ status: 'in_review', statusBy: 'maestro', completedAt: null });
      // A new session on a task in review takes it back to work.
      await call('POST', '/api/sessions', { id: 'sess_c', projectId: 'proj_p', taskId: 'task_t' });
      expect((await task('task_t')).status).toBe('in_progress');
      await call('POST', '/api/sessions/sess_c/end', { reason: 'completed' });
      await call('PATCH', '/api/tasks/task_t', { status: 'done' });
      expect(await statuses('task_t')).toEqual([
        'in_progress by maestro',
        'in_review by maestro',
        'in_progress by maestro',
        'in_review by maestro',
        'done by person',
      ]);
      const moved = (await events()).filter((e) => e.type === 'task:updated');
      expect(moved.map((e) => (e.data as Task).status)).toEqual(['in_progress', 'in_review', 'in_progress', 'in_review', 'done']);
    });

    it('stays in progress when a session failed or a person stopped it', async () => {
      await setup();
      for (const [taskId, reason] of [
        ['task_failed', 'failed'],
        ['task_stopped', 'stopped'],
        ['task_killed', 'killed'],
      ] as const) {
        await call('POST', '/api/tasks', { id: taskId, projectId: 'proj_p', title: taskId });
        const s = (await call('POST', '/api/sessions', { projectId: 'proj_p', taskId })).body as Session;
        await call('POST', `/api/sessions/${s.id}/end`, { reason });
        expect((await task(taskId)).status, reason).toBe('in_progress');
      }
    });

    it('never overrides a status a person set afterwards, nor one the project does not let it move', async () => {
      await setup();
      await call('POST', '/api/tasks', { id: 'task_t', projectId: 'proj_p', title: 't' });
      await call('POST', '/api/sessions', { id: 'sess_a', projectId: 'proj_p', taskId: 'task_t' });
      await call('PATCH', '/api/tasks/task_t', { status: 'blocked' });
      await call('POST', '/api/sessions/sess_a/end', { reason: 'completed' });
      expect((await task('task_t')).status).toBe('blocked');
      await call('POST', '/api/sessions', { id: 'sess_b', projectId: 'proj_p', taskId: 'task_t' });
      expect((await task('task_t')).status).toBe('blocked');

      await call('PATCH', '/api/projects/proj_q', { autoTaskStatus: false });
      await call('POST', '/api/tasks', { id: 'task_q', projectId: 'proj_q', title: 'q' });
      await call('POST', '/api/sessions', { id: 'sess_q', projectId: 'proj_q', taskId: 'task_q' });
      await call('POST', '/api/sessions/sess_q/end', { reason: 'completed' });
      expect(await task('task_q')).toMatchObject({ status: 'todo', statusBy: null });
    });

    it('moves on a link to a live session, not to an ended one', async () => {
      await setup();
      await call('POST', '/api/tasks', { id: 'task_live', projectId: 'proj_p', title: 'live' });
      await call('POST', '/api/tasks', { id: 'task_ended', projectId: 'proj_p', title: 'ended' });
      await call('POST', '/api/sessions', { id: 'sess_a', projectId: 'proj_p' });
      await call('POST', '/api/sessions/sess_a/tasks/task_live');
      expect((await task('task_live')).status).toBe('in_progress');
      await call('POST', '/api/sessions/sess_a/end', { reason: 'completed' });
      await call('POST', '/api/sessions/sess_a/tasks/task_ended');
      expect((await task('task_ended')).status).toBe('todo');
    });
  });

  describe('ends', () => {
    it('record stopped by default, with a note kept on the session, its event and its tasks', async () => {
      await setup();
      await call('POST', '/api/tasks', { id: 'task_t', projectId: 'proj_p', title: 't' });
      await call('POST', '/api/sessions', { id: 'sess_a', projectId: 'proj_p', taskId: 'task_t' });
      const ended = await call('POST', '/api/sessions/sess_a/end', { note: 'going another way' });
      expect(ended.body).toMatchObject({ endReason: 'stopped', status: 'completed', endNote: 'going another way' });
      expect((await events()).find((e) => e.type === 'session:ended')).toMatchObject({
        data: { id: 'sess_a', endReason: 'stopped', endNote: 'going another way' },
      });
      expect((await task('task_t')).timeline.find((e) => e.type === 'session_ended')).toMatchObject({
        sessionId: 'sess_a',
        data: { reason: 'stopped', note: 'going another way' },
      });
      await call('POST', '/api/sessions', { id: 'sess_b', projectId: 'proj_p' });
      expect((await call('POST', '/api/sessions/sess_b/end', { reason: 'completed' })).body).toMatchObject({
        endReason: 'completed',
        endNote: null,
      });
    });

    it('show once on the timeline: deleting an ended session adds no second end, deleting a live one records it', async () => {
      await setup();
      await call('POST', '/api/tasks', { id: 'task_t', projectId: 'proj_p', title: 't' });
      await call('POST', '/api/sessions', { id: 'sess_ended', projectId: 'proj_p', taskId: 'task_t' });
      await call('POST', '/api/sessions', { id: 'sess_live', projectId: 'proj_p', taskId: 'task_t' });
      await call('POST', '/api/sessions/sess_ended/end', { reason: 'failed' });
      await call('DELETE', '/api/sessions/sess_ended');
      await call('DELETE', '/api/sessions/sess_live');
      const ends = (await task('task_t')).timeline.filter((e) => e.type === 'session_ended');
      expect(ends.map((e) => [e.sessionId, e.data?.reason])).toEqual([
        ['sess_ended', 'failed'],
        ['sess_live', 'deleted'],
      ]);
    });
  });

  describe('lineage', () => {
    it('knows the parent and role of a session, lists its children, and forgets a deleted parent', async () => {
      await setup();
      const boss = await call('POST', '/api/sessions', { id: 'sess_boss', projectId: 'proj_p', role: 'orchestrator' });
      expect(boss.body).toMatchObject({ role: 'orchestrator', parentSessionId: null });
      const worker = await call('POST', '/api/sessions', { id: 'sess_w1', projectId: 'proj_p', parentSessionId: 'sess_boss' });
      expect(worker.body).toMatchObject({ role: 'worker', parentSessionId: 'sess_boss' });
      await call('POST', '/api/sessions', { id: 'sess_w2', projectId: 'proj_q', parentSessionId: 'sess_boss' });
      await call('POST', '/api/sessions', { id: 'sess_alone', projectId: 'proj_p' });
      const children = (await call('GET', '/api/sessions?parentSessionId=sess_boss')).body.sessions.map((s: Session) => s.id);
      expect(children.sort()).toEqual(['sess_w1', 'sess_w2']);

      const orphan = await call('POST', '/api/sessions', { projectId: 'proj_p', parentSessionId: 'sess_nope' });
      expect(orphan.status).toBe(400);
      expect(orphan.body.details.issues).toEqual([{ path: 'body.parentSessionId', message: 'session sess_nope does not exist' }]);
      expect((await call('POST', '/api/sessions', { projectId: 'proj_p', role: 'boss' })).status).toBe(400);

      await call('DELETE', '/api/sessions/sess_boss');
      expect((await call('GET', '/api/sessions/sess_w1')).body.parentSessionId).toBeNull();
      expect((await call('GET', '/api/sessions/sess_w2')).body.parentSessionId).toBeNull();
      expect((await call('GET', '/api/sessions?parentSessionId=sess_boss')).body.sessions).toEqual([]);
    });
  });
});
