import { fileURLToPath } from 'node:url';
import SqliteDatabase from 'better-sqlite3';
import { execa } from 'execa';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { MaestroEvent } from '../src/domain/index.js';
import { Cleanup, nextEvent, testMaestro, until } from './helpers.js';

type TestMaestro = Awaited<ReturnType<typeof testMaestro>>;

const AGENT = ['sleep', '300'];
const tmuxHas = (m: TestMaestro, name: string) =>
  execa('tmux', ['-L', m.config.tmuxSocket, 'has-session', '-t', `=${name}`], { reject: false }).then((r) => r.exitCode === 0);

async function setup(cleanup: Cleanup, config: Parameters<typeof testMaestro>[1] = {}) {
  const m = await testMaestro(cleanup, { maxRunningProjects: 1, projectStuckSecs: 600, ...config });
  const project = (id: string, fields: { priority?: number; agentCommand?: string[] | null; enqueue?: boolean } = {}) =>
    m.services.projects.create({ id, name: id, repoPath: m.dir, enqueue: true, agentCommand: AGENT, ...fields } as Parameters<
      typeof m.services.projects.create
    >[0]);
  const get = (id: string) => m.services.projects.get(id);
  const liveSessions = async (projectId: string) => (await m.services.sessions.list({ projectId, active: true })).sessions;
  const events = async (): Promise<MaestroEvent[]> => m.services.store.listEvents(0, 100_000);
  return { m, project, get, liveSessions, events };
}

describe('project queue and scheduler', () => {
  let cleanup: Cleanup;
  afterEach(() => cleanup.run());

  it('the classic scenario: completing project 60 kills its session, then 66 starts, then 67', async () => {
    cleanup = new Cleanup();
    const { m, project, get, liveSessions } = await setup(cleanup);
    await project('proj_60');
    m.clock.advance(1000);
    await project('proj_66');
    m.clock.advance(1000);
    await project('proj_67');

    expect((await m.scheduler.schedule()).started).toEqual(['proj_60']);
    const [agent60] = await liveSessions('proj_60');
    expect(agent60?.runtime.tmuxSession).toBeTruthy();
    expect(await tmuxHas(m, agent60?.runtime.tmuxSession as string)).toBe(true);
    expect((await get('proj_66')).status).toBe('queued');

    await m.services.projects.complete('proj_60');
    expect((await get('proj_60')).status).toBe('completed');
    expect(await liveSessions('proj_60')).toEqual([]);
    expect(await m.services.sessions.get(agent60?.id as string)).toMatchObject({ status: 'failed', endReason: 'killed' });
    await until(async () => !(await tmuxHas(m, agent60?.runtime.tmuxSession as string)), 5000, 'the tmux session of 60 to go');

    expect((await m.scheduler.schedule()).started).toEqual(['proj_66']);
    expect((await get('proj_66')).status).toBe('running');
    expect(await liveSessions('proj_66')).toHaveLength(1);
    expect((await get('proj_67')).status).toBe('queued');

    await m.services.projects.complete('proj_66');
    expect((await m.scheduler.schedule()).started).toEqual(['proj_67']);
    const queue = await m.services.projects.queue();
    expect(queue.running.map((p) => p.id)).toEqual(['proj_67']);
    expect(queue.queued).toEqual([]);
  });

  it('wakes at once when a project completes, without waiting for its interval', async () => {
    cleanup = new Cleanup();
    const { m, project, get } = await setup(cleanup, { schedulerIntervalSecs: 3600 });
    await project('proj_a');
    await project('proj_b');
    m.scheduler.start();
    cleanup.add(() => m.scheduler.stop());
    await until(async () => (await get('proj_a')).status === 'running', 5000, 'a to start');
    await m.services.projects.complete('proj_a');
    await until(async () => (await get('proj_b')).status === 'running', 5000, 'b to start on the completion event');
  });

  it("a failing pass is reported under the loop's name, scheduler", async () => {
    cleanup = new Cleanup();
    const { m } = await setup(cleanup, { schedulerIntervalSecs: 3600 });
    vi.spyOn(m.services.store, 'listProjectsByStatus').mockRejectedValueOnce(new Error('disk I/O error'));
    const failed = nextEvent(m.services.store, 'loop:failed');
    m.scheduler.start(); // the first pass runs at once, and fails
    cleanup.add(() => m.scheduler.stop());
    expect((await failed).data).toEqual({ loop: 'scheduler', message: 'disk I/O error' });
  });

  it('starts the highest priority first, then the one queued longest', async () => {
    cleanup = new Cleanup();
    const { m, project } = await setup(cleanup, { maxRunningProjects: 10 });
    await project('proj_low_old', { priority: 0, agentCommand: null });
    m.clock.advance(1000);
    await project('proj_high', { priority: 5, agentCommand: null });
    m.clock.advance(1000);
    await project('proj_low_new', { priority: 0, agentCommand: null });
    m.clock.advance(1000);
    await project('proj_mid', { priority: 2, agentCommand: null });
    expect((await m.services.projects.queue()).queued.map((p) => p.id)).toEqual([
      'proj_high',
      'proj_mid',
      'proj_low_old',
      'proj_low_new',
    ]);
    expect((await m.scheduler.schedule()).started).toEqual(['proj_high', 'proj_mid', 'proj_low_old', 'proj_low_new']);
  });

  it('never starts the same project twice: concurrent dequeues in three processes', async () => {
    cleanup = new Cleanup();
    const { m, project } = await setup(cleanup);
    const ids = Array.from({ length: 60 }, (_, i) => `proj_${String(i).padStart(2, '0')}`);
    for (const id of ids) await project(id, { agentCommand: null });
    const worker = fileURLToPath(new URL('fixtures/dequeue-worker.ts', import.meta.url));
    const runs = await Promise.all([1, 2, 3].map(() => execa(process.execPath, ['--import', 'tsx', worker, m.config.db])));
    const taken = runs.flatMap((r) => r.stdout.split('\n').filter(Boolean));
    expect(taken.sort()).toEqual(ids);
    expect(new Set(taken).size).toBe(ids.length);
    const startedEvents = (await m.services.store.listEvents(0, 10_000)).filter((e) => e.type === 'project:started');
    expect(startedEvents).toHaveLength(ids.length);
  });

  it('completion is idempotent: one event, sessions ended once', async () => {
    cleanup = new Cleanup();
    const { m, project, events } = await setup(cleanup);
    await project('proj_x');
    await m.scheduler.schedule();
    const first = await m.services.projects.complete('proj_x', { success: false, reason: 'tests failed' });
    const second = await m.services.projects.complete('proj_x');
    expect(second).toEqual(first);
    expect(first).toMatchObject({ status: 'failed', statusReason: 'tests failed' });
    expect((await events()).filter((e) => e.type === 'project:failed' || e.type === 'project:completed')).toHaveLength(1);
  });

  it('picks up a status written straight into the database: same clean-up, same events', async () => {
    cleanup = new Cleanup();
    const { m, project, get, liveSessions, events } = await setup(cleanup);
    await project('proj_hand');
    await m.scheduler.schedule();
    const [agent] = await liveSessions('proj_hand');
    const raw = new SqliteDatabase(m.config.db);
    raw.prepare("UPDATE projects SET status = 'completed' WHERE id = ?").run('proj_hand');
    raw.close();

    const report = await m.scheduler.schedule();
    expect(report.finalized).toEqual(['proj_hand']);
    expect(await get('proj_hand')).toMatchObject({ status: 'completed', statusReason: 'status set in the database' });
    expect((await get('proj_hand')).completedAt).not.toBeNull();
    expect(await liveSessions('proj_hand')).toEqual([]);
    expect((await events()).filter((e) => e.type === 'project:completed').map((e) => e.data.id)).toEqual(['proj_hand']);
    await until(async () => !(await tmuxHas(m, agent?.runtime.tmuxSession as string)), 5000, 'its tmux session to go');
    expect((await m.scheduler.schedule()).finalized).toEqual([]);
  });

  it('ends lingering sessions of a finished project before dequeuing', async () => {
    cleanup = new Cleanup();
    const { m, project, liveSessions } = await setup(cleanup);
    await project('proj_done', { agentCommand: null, enqueue: false });
    await m.services.projects.complete('proj_done');
    // A session created afterwards by a confused client lingers in a finished project.
    await m.services.sessions.create({ projectId: 'proj_done' });
    const report = await m.scheduler.schedule();
    expect(report.lingeringEnded).toBe(1);
    expect(await liveSessions('proj_done')).toEqual([]);
  });

  it('completes a project when its last session ends, with the session’s outcome', async () => {
    cleanup = new Cleanup();
    const { m, project, get, liveSessions } = await setup(cleanup);
    await project('proj_ok', { agentCommand: ['true'] });
    m.clock.advance(1000); // queued later: starts after proj_ok
    await project('proj_next', { agentCommand: null });
    await m.scheduler.schedule();
    const [agent] = await liveSessions('proj_ok');
    await until(
      async () => (await m.reconciler.reconcile()).ended.some((e) => e.sessionId === agent?.id),
      10_000,
      'the agent to exit',
    );
    const report = await m.scheduler.schedule();
    expect(report.completed).toEqual(['proj_ok']);
    expect(report.started).toEqual(['proj_next']);
    expect(await get('proj_ok')).toMatchObject({ status: 'completed' });
    expect((await get('proj_ok')).statusReason).toContain('terminal_closed');
  });

  it('a project takes the outcome of its newest session: failed when that one failed, whatever came before', async () => {
    cleanup = new Cleanup();
    const { m, project, get } = await setup(cleanup, { maxRunningProjects: 2 });
    await project('proj_bad', { agentCommand: null });
    await project('proj_good', { agentCommand: null });
    expect((await m.scheduler.schedule()).started).toEqual(['proj_bad', 'proj_good']);
    const session = async (projectId: string, reason: 'completed' | 'failed') => {
      const s = await m.services.sessions.create({ projectId });
      m.clock.advance(1000); // the next one is newer
      await m.services.sessions.end(s.id, reason);
      return s.id;
    };
    await session('proj_bad', 'completed');
    const lastBad = await session('proj_bad', 'failed');
    await session('proj_good', 'failed');
    const lastGood = await session('proj_good', 'completed');
    const report = await m.scheduler.schedule();
    expect(report.completed.sort()).toEqual(['proj_bad', 'proj_good']);
    expect(await get('proj_bad')).toMatchObject({ status: 'failed', statusReason: `last session ${lastBad} ended: failed` });
    expect(await get('proj_good')).toMatchObject({
      status: 'completed',
      statusReason: `last session ${lastGood} ended: completed`,
    });
  });

  it('fails a scheduled project stuck without a live session', async () => {
    cleanup = new Cleanup();
    const { m, project, get } = await setup(cleanup, { projectStuckSecs: 600 });
    await project('proj_idle', { agentCommand: null });
    await m.scheduler.schedule();
    m.clock.advance(600_000);
    expect((await m.scheduler.schedule()).stuck).toEqual([]);
    m.clock.advance(1);
    expect((await m.scheduler.schedule()).stuck).toEqual(['proj_idle']);
    expect(await get('proj_idle')).toMatchObject({ status: 'failed', statusReason: 'no live session for 600 s' });
  });

  it('pause holds the queue; resume lets it go; a full session limit puts the project back', async () => {
    cleanup = new Cleanup();
    const { m, project, get } = await setup(cleanup, { maxSessions: 1 });
    await m.services.projects.setPaused(true);
    await project('proj_a');
    expect(await m.scheduler.schedule()).toMatchObject({ paused: true, started: [] });
    await m.services.projects.setPaused(false);
    await m.services.sessions.create({ projectId: 'proj_a' }); // takes the only session slot
    expect((await m.scheduler.schedule()).started).toEqual([]);
    expect(await get('proj_a')).toMatchObject({ status: 'queued', statusReason: 'waiting for a free session slot' });
  });

  it('serves the queue over HTTP with clear errors', async () => {
    cleanup = new Cleanup();
    const { m, project } = await setup(cleanup);
    await project('proj_q', { agentCommand: null });
    const call = (method: 'GET' | 'POST', url: string, payload?: object) =>
      m.app.inject({ method, url, ...(payload ? { payload } : {}) });
    expect((await call('GET', '/api/queue')).json()).toMatchObject({ paused: false, running: [], queued: [{ id: 'proj_q' }] });
    await m.scheduler.schedule();
    const again = await call('POST', '/api/projects/proj_q/enqueue', {});
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: 'conflict' });
    expect((await call('POST', '/api/projects/proj_q/complete', { success: 'yes' })).statusCode).toBe(400);
    expect((await call('POST', '/api/projects/proj_nope/complete', {})).statusCode).toBe(404);
    expect((await call('POST', '/api/projects/proj_q/complete', { success: true })).json()).toMatchObject({
      status: 'completed',
    });
    expect((await call('POST', '/api/projects/proj_q/enqueue', { priority: 3 })).json()).toMatchObject({
      status: 'queued',
      priority: 3,
    });
    expect((await call('POST', '/api/queue/pause')).json()).toMatchObject({ paused: true });
    expect((await call('POST', '/api/projects', { name: 'x', repoPath: m.dir, agentCommand: 'rm -rf /' })).statusCode).toBe(400);
  });

  it('deleting a running project kills its agent, deletes its sessions and tasks with the cascade, and frees its slot', async () => {
    cleanup = new Cleanup();
    const { m, project, get, liveSessions, events } = await setup(cleanup);
    await project('proj_del');
    m.clock.advance(1000);
    await project('proj_next');
    expect((await m.scheduler.schedule()).started).toEqual(['proj_del']);
    const [agent] = await liveSessions('proj_del');
    const tmuxSession = agent?.runtime.tmuxSession as string;
    expect(await tmuxHas(m, tmuxSession)).toBe(true);
    // Besides the agent: a task linked to a record-only session, and one ended session.
    const task = await m.services.tasks.create({ projectId: 'proj_del', title: 'linked' });
    const record = await m.services.sessions.create({ projectId: 'proj_del', taskIds: [task.id] });
    const ended = await m.services.sessions.create({ projectId: 'proj_del' });
    await m.services.sessions.end(ended.id, 'completed');
    const otherTask = await m.services.tasks.create({ projectId: 'proj_next', title: 'kept' });
    const before = (await events()).length;

    const res = await m.app.inject({ method: 'DELETE', url: '/api/projects/proj_del' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ id: 'proj_del', sessions: 3, killed: 1, tasks: 1 });
    await until(async () => !(await tmuxHas(m, tmuxSession)), 5000, 'the agent tmux session to go');
    for (const url of [
      '/api/projects/proj_del',
      `/api/tasks/${task.id}`,
      `/api/sessions/${agent?.id}`,
      `/api/sessions/${record.id}`,
    ])
      expect((await m.app.inject({ url })).statusCode, url).toBe(404);
    expect((await m.app.inject({ method: 'DELETE', url: '/api/projects/proj_del' })).statusCode).toBe(404);

    const appended = (await events()).slice(before);
    expect(appended.filter((e) => e.type === 'session:deleted').map((e) => e.data)).toEqual(
      expect.arrayContaining(
        [agent?.id, record.id, ended.id].map((id) => expect.objectContaining({ id, reason: 'project_deleted' })),
      ),
    );
    expect(appended.filter((e) => e.type === 'session:deleted')).toHaveLength(3);
    expect(appended.filter((e) => e.type === 'task:deleted').map((e) => e.data)).toEqual([
      { id: task.id, projectId: 'proj_del' },
    ]);
    expect(appended.at(-1)).toMatchObject({ type: 'project:deleted', data: { id: 'proj_del', name: 'proj_del' } });

    // The other project keeps everything, and takes the freed slot.
    expect((await m.services.tasks.get(otherTask.id)).title).toBe('kept');
    expect((await m.scheduler.schedule()).started).toEqual(['proj_next']);
    expect((await get('proj_next')).status).toBe('running');
  });
});
