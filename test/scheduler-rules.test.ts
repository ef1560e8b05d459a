import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../src/core/clock.js';
import { Scheduler } from '../src/core/loops/scheduler.js';
import type { ProjectService } from '../src/core/projects/projects.js';
import type { Runtime } from '../src/core/runtime.js';
import type { SessionService } from '../src/core/sessions/sessions.js';
import { type MaestroEvent, NotFoundError } from '../src/domain/index.js';
import type { EventListener, Store } from '../src/store/index.js';
import { Cleanup, quietLog, stubRuntime, testMaestro } from './helpers.js';

const WAKE_ON = [
  'session:ended',
  'sessions:ended',
  'session:deleted',
  'sessions:purged',
  'project:queued',
  'project:completed',
  'project:failed',
  'project:cancelled',
  'project:deleted',
] as const;

const event = (type: string, seq = 1) => ({ type, seq, id: `evt_${seq}`, at: '', data: {} }) as unknown as MaestroEvent;

describe('scheduler wake-ups (fake timers: a pass runs at once, or only at the next interval)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  function setup() {
    vi.useFakeTimers();
    const listeners = new Set<EventListener>();
    const store = {
      onEvents: (l: EventListener) => {
        listeners.add(l);
        return () => listeners.delete(l);
      },
    } as unknown as Store;
    const scheduler = new Scheduler(
      { store, clock: new ManualClock(0), log: quietLog(), projects: {} as ProjectService, sessions: {} as SessionService },
      { intervalMs: 3_600_000, maxRunningProjects: 1, projectStuckSecs: 600 },
    );
    const passes = vi.spyOn(scheduler, 'schedule').mockResolvedValue({
      finalized: [],
      lingeringEnded: 0,
      completed: [],
      stuck: [],
      started: [],
      paused: false,
    });
    const emit = (...types: string[]) => {
      for (const l of listeners) l(types.map((t, i) => event(t, i + 1)));
    };
    return { scheduler, passes, emit, listeners };
  }

  it.each(WAKE_ON)('runs a pass at once after %s', async (type) => {
    const { scheduler, passes, emit } = setup();
    scheduler.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(passes).toHaveBeenCalledTimes(1); // the first pass, at start
    emit(type);
    await vi.advanceTimersByTimeAsync(0);
    expect(passes).toHaveBeenCalledTimes(2);
    await scheduler.stop();
  });

  it('other events wait for the interval; one wake-up among them is enough', async () => {
    const { scheduler, passes, emit } = setup();
    scheduler.start();
    await vi.advanceTimersByTimeAsync(0);
    emit('session:created', 'session:updated', 'project:created', 'task:created');
    await vi.advanceTimersByTimeAsync(1000);
    expect(passes).toHaveBeenCalledTimes(1);
    emit('session:updated', 'session:ended', 'task:updated');
    await vi.advanceTimersByTimeAsync(0);
    expect(passes).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(passes).toHaveBeenCalledTimes(3);
    await scheduler.stop();
  });

  it('start listens once however often it is called; stop stops listening', async () => {
    const { scheduler, passes, emit, listeners } = setup();
    scheduler.start();
    scheduler.start();
    expect(listeners.size).toBe(1);
    await vi.advanceTimersByTimeAsync(0);
    await scheduler.stop();
    expect(listeners.size).toBe(0);
    emit('session:ended');
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(passes).toHaveBeenCalledTimes(1);
    await scheduler.stop(); // idempotent
    scheduler.start(); // and it starts again, listening again
    expect(listeners.size).toBe(1);
    await vi.advanceTimersByTimeAsync(0);
    expect(passes).toHaveBeenCalledTimes(2);
    scheduler.wake();
    await vi.advanceTimersByTimeAsync(0);
    expect(passes).toHaveBeenCalledTimes(3);
    await scheduler.stop();
  });
});

describe('scheduler passes', () => {
  let cleanup: Cleanup;
  afterEach(() => cleanup.run());

  async function setup(config: { maxRunningProjects?: number } = {}, runtime?: Runtime) {
    cleanup = new Cleanup();
    const logs: { msg: string; [k: string]: unknown }[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => logs.push(JSON.parse(line)) });
    const m = await testMaestro(
      cleanup,
      { maxRunningProjects: 1, projectStuckSecs: 600, ...config },
      { log, ...(runtime ? { runtime } : {}) },
    );
    const passLogs = () => logs.filter((l) => l.msg === 'scheduler pass');
    return { m, passLogs };
  }

  it('a pass with nothing to do writes nothing and logs nothing', async () => {
    const { m, passLogs } = await setup();
    await m.services.projects.create({ id: 'proj_manual', name: 'manual', repoPath: m.dir }); // running, by hand
    const writes = vi.spyOn(m.services.store, 'transaction');
    const running = vi.spyOn(m.services.store, 'countScheduledRunning');
    expect(await m.scheduler.schedule()).toEqual({
      finalized: [],
      lingeringEnded: 0,
      completed: [],
      stuck: [],
      started: [],
      paused: false,
    });
    expect(writes).not.toHaveBeenCalled();
    expect(running).not.toHaveBeenCalled(); // nothing queued: not even the count
    expect(passLogs()).toEqual([]);
  });

  it('a pass that did something logs its report', async () => {
    const { m, passLogs } = await setup();
    await m.services.projects.create({ id: 'proj_q', name: 'q', repoPath: m.dir, enqueue: true });
    const report = await m.scheduler.schedule();
    expect(report.started).toEqual(['proj_q']);
    expect(passLogs()).toMatchObject([{ started: ['proj_q'], completed: [], stuck: [], finalized: [], lingeringEnded: 0 }]);
  });

  it('leaves a project run by hand alone: neither completed when its sessions end nor failed when it has none', async () => {
    const { m } = await setup();
    await m.services.projects.create({ id: 'proj_manual', name: 'manual', repoPath: m.dir });
    const s = await m.services.sessions.create({ projectId: 'proj_manual' });
    await m.services.sessions.end(s.id, 'completed');
    m.clock.advance(601_000);
    const report = await m.scheduler.schedule();
    expect(report).toMatchObject({ completed: [], stuck: [] });
    expect((await m.services.projects.get('proj_manual')).status).toBe('running');
  });

  it('a project completed by a pass is left alone by the next ones', async () => {
    const { m } = await setup();
    await m.services.projects.create({ id: 'proj_q', name: 'q', repoPath: m.dir, enqueue: true });
    await m.scheduler.schedule();
    const s = await m.services.sessions.create({ projectId: 'proj_q' });
    await m.services.sessions.end(s.id, 'failed');
    expect((await m.scheduler.schedule()).completed).toEqual(['proj_q']);
    m.clock.advance(601_000);
    expect(await m.scheduler.schedule()).toMatchObject({ completed: [], stuck: [], finalized: [] });
    expect(await m.services.projects.get('proj_q')).toMatchObject({ status: 'failed' });
  });

  it('a scheduled project with a live session is left running, however old', async () => {
    const { m } = await setup();
    await m.services.projects.create({ id: 'proj_q', name: 'q', repoPath: m.dir, enqueue: true });
    await m.scheduler.schedule();
    const done = await m.services.sessions.create({ projectId: 'proj_q' });
    await m.services.sessions.end(done.id, 'completed');
    await m.services.sessions.create({ projectId: 'proj_q' }); // still live
    m.clock.advance(601_000);
    expect(await m.scheduler.schedule()).toMatchObject({ completed: [], stuck: [] });
    expect((await m.services.projects.get('proj_q')).status).toBe('running');
  });

  it('starts at most maxRunningProjects, and more as they finish', async () => {
    const { m } = await setup({ maxRunningProjects: 2 });
    for (const id of ['proj_1', 'proj_2', 'proj_3'])
      await m.services.projects.create({ id, name: id, repoPath: m.dir, enqueue: true });
    expect((await m.scheduler.schedule()).started).toEqual(['proj_1', 'proj_2']);
    expect((await m.scheduler.schedule()).started).toEqual([]);
    await m.services.projects.complete('proj_1');
    expect((await m.scheduler.schedule()).started).toEqual(['proj_3']);
  });

  it('an agent whose session is found gone while starting (deleted meanwhile) leaves its project running', async () => {
    const { m } = await setup({ maxRunningProjects: 1 });
    await m.services.projects.create({ id: 'proj_a', name: 'a', repoPath: m.dir, enqueue: true, agentCommand: ['agent'] });
    const sessions = {
      spawn: async () => {
        throw new NotFoundError('session', 'sess_gone');
      },
    } as unknown as SessionService;
    const scheduler = new Scheduler(
      { store: m.services.store, clock: m.clock, log: quietLog(), projects: m.services.projects, sessions },
      { intervalMs: 3_600_000, maxRunningProjects: 1, projectStuckSecs: 600 },
    );
    expect((await scheduler.schedule()).started).toEqual(['proj_a']);
    expect(await m.services.projects.get('proj_a')).toMatchObject({ status: 'running', statusReason: null });
  });

  it('fails a project whose agent cannot start, saying why, and goes on with the queue', async () => {
    const broken = stubRuntime('test', {
      start: async () => {
        throw new Error('no terminal here');
      },
    });
    const { m } = await setup({ maxRunningProjects: 1 }, broken);
    // A program that exists (`true`), so that it is the runtime that refuses to start it.
    await m.services.projects.create({ id: 'proj_a', name: 'a', repoPath: m.dir, enqueue: true, agentCommand: ['true'] });
    m.clock.advance(1000);
    await m.services.projects.create({ id: 'proj_b', name: 'b', repoPath: m.dir, enqueue: true, agentCommand: null });
    const report = await m.scheduler.schedule();
    expect(report.started).toEqual(['proj_a', 'proj_b']);
    expect(await m.services.projects.get('proj_a')).toMatchObject({
      status: 'failed',
      statusReason: expect.stringMatching(/^could not start its agent: .*no terminal here/),
    });
  });
});
