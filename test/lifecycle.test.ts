import { execa } from 'execa';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { MaestroEvent, Session, Task } from '../src/domain/index.js';
import { TmuxSessionManager } from '../src/runtime/tmux.js';
import { Cleanup, nextEvent, testMaestro, until } from './helpers.js';

const TIMEOUT_SECS = 3600;
const RETENTION_SECS = 7 * 86_400;

type TestMaestro = Awaited<ReturnType<typeof testMaestro>>;

async function setup(cleanup: Cleanup, config: Parameters<typeof testMaestro>[1] = {}) {
  const m = await testMaestro(cleanup, { sessionTimeoutSecs: TIMEOUT_SECS, retentionSecs: RETENTION_SECS, ...config });
  const call = async (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) => {
    const res = await m.app.inject({ method, url, ...(payload ? { payload } : {}) });
    return { status: res.statusCode, body: String(res.headers['content-type']).includes('json') ? res.json() : res.body };
  };
  await call('POST', '/api/projects', { id: 'proj_p', name: 'p', repoPath: m.dir });
  await call('POST', '/api/projects', { id: 'proj_q', name: 'q', repoPath: m.dir });
  await call('POST', '/api/tasks', { id: 'task_t', projectId: 'proj_p', title: 't' });
  return { m, call };
}

const events = (m: TestMaestro): Promise<MaestroEvent[]> => m.services.store.listEvents(0, 100_000);
const metric = (text: string, name: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line ? Number(line.split(' ').at(-1)) : undefined;
};

describe('lifecycle policies (injected clock)', () => {
  let cleanup: Cleanup;
  afterEach(() => cleanup.run());

  it('does not time out a session active within the timeout', async () => {
    cleanup = new Cleanup();
    const { m, call } = await setup(cleanup);
    await call('POST', '/api/sessions', { id: 'sess_a', projectId: 'proj_p' });
    m.clock.advance(TIMEOUT_SECS * 1000);
    expect((await call('GET', '/api/sessions/sess_a')).body).toMatchObject({ status: 'initializing', endReason: null });
    expect((await m.sweeper.sweep()).timedOut).toBe(0);
  });

  it('times out an idle session on the next read, before any sweep, with events and a task timeline entry', async () => {
    cleanup = new Cleanup();
    const { m, call } = await setup(cleanup);
    await call('POST', '/api/sessions', { id: 'sess_a', projectId: 'proj_p', taskId: 'task_t' });
    m.clock.advance(TIMEOUT_SECS * 1000 + 1);
    const read = (await call('GET', '/api/sessions/sess_a')).body as Session;
    expect(read).toMatchObject({ status: 'failed', endReason: 'timed_out' });
    expect(Date.parse(read.completedAt as string)).toBe(m.clock.now());
    expect((await call('GET', '/api/sessions?active=true')).body.sessions).toEqual([]);
    expect((await events(m)).at(-1)).toMatchObject({
      type: 'sessions:ended',
      data: {
        reason: 'timed_out',
        sessions: [{ id: 'sess_a', endReason: 'timed_out', status: 'failed', taskIds: ['task_t'], version: 2 }],
      },
    });
    const task = (await call('GET', '/api/tasks/task_t')).body as Task;
    expect(task.timeline.at(-1)).toMatchObject({ type: 'session_ended', sessionId: 'sess_a', data: { reason: 'timed_out' } });
    // Activity after the deadline is refused, not counted.
    expect((await call('POST', '/api/sessions/sess_a/touch')).status).toBe(409);
  });

  it('a touch before the deadline pushes it back', async () => {
    cleanup = new Cleanup();
    const { m, call } = await setup(cleanup);
    await call('POST', '/api/sessions', { id: 'sess_a', projectId: 'proj_p' });
    m.clock.advance(TIMEOUT_SECS * 1000 - 1);
    await call('POST', '/api/sessions/sess_a/touch');
    m.clock.advance(TIMEOUT_SECS * 1000 - 1);
    expect((await call('GET', '/api/sessions/sess_a')).body.status).toBe('initializing');
    m.clock.advance(2);
    expect((await call('GET', '/api/sessions/sess_a')).body.endReason).toBe('timed_out');
  });

  it('reads before the earliest deadline cost no query; a clock set back still sees a deadline it brings forward', async () => {
    cleanup = new Cleanup();
    const { m, call } = await setup(cleanup);
    await call('POST', '/api/sessions', { id: 'sess_a', projectId: 'proj_p' });
    const oldest = vi.spyOn(m.services.store, 'oldestActivity');
    for (let i = 0; i < 5; i++) await call('GET', '/api/sessions/sess_a');
    expect(oldest).not.toHaveBeenCalled();
    // Another clock, two minutes behind, creates a session: it falls due two minutes before sess_a.
    const t0 = m.clock.now();
    m.clock.set(t0 - 120_000);
    await call('POST', '/api/sessions', { id: 'sess_b', projectId: 'proj_p' });
    m.clock.set(t0 - 120_000 + TIMEOUT_SECS * 1000 + 1);
    expect((await call('GET', '/api/sessions/sess_b')).body).toMatchObject({ status: 'failed', endReason: 'timed_out' });
    expect((await call('GET', '/api/sessions/sess_a')).body).toMatchObject({ status: 'initializing' });
    expect(oldest).toHaveBeenCalled();
  });

  it('a live session imported with activity past the deadline is timed out by the next read', async () => {
    cleanup = new Cleanup();
    const { m, call } = await setup(cleanup);
    const exported = (await call('POST', '/api/sessions', { id: 'sess_old', projectId: 'proj_p' })).body as Session;
    await call('DELETE', '/api/sessions/sess_old');
    m.clock.advance(TIMEOUT_SECS * 1000 - 1000);
    await call('POST', '/api/sessions', { id: 'sess_new', projectId: 'proj_p' }); // this read remembers a deadline
    m.clock.advance(2000);
    expect((await call('POST', '/api/sessions/import', exported)).status).toBe(201);
    expect((await call('GET', '/api/sessions/sess_old')).body).toMatchObject({ status: 'failed', endReason: 'timed_out' });
  });

  it('the sweeper times out idle sessions in bulk and reports counts', async () => {
    cleanup = new Cleanup();
    const { m, call } = await setup(cleanup);
    for (let i = 0; i < 30; i++) await call('POST', '/api/sessions', { id: `sess_${i}`, projectId: 'proj_p' });
    m.clock.advance(TIMEOUT_SECS * 1000 - 10_000);
    await call('POST', '/api/sessions', { id: 'sess_fresh', projectId: 'proj_p' });
    m.clock.advance(10_001);
    const dry = await m.sweeper.sweep({ dryRun: true });
    expect(dry).toMatchObject({ dryRun: true, timedOut: 30, purged: 0 });
    expect(await m.services.store.countActiveSessions()).toBe(31);
    const report = await m.sweeper.sweep();
    expect(report).toMatchObject({ dryRun: false, timedOut: 30, purged: 0 });
    expect(report.timedOutIds).toHaveLength(30);
    expect(await m.services.store.countActiveSessions()).toBe(1);
    const batches = (await events(m)).filter((e) => e.type === 'sessions:ended');
    expect(batches).toHaveLength(1);
    const ended = (batches[0]?.data.sessions ?? []) as { id: string }[];
    expect(ended.map((s) => s.id).sort()).toEqual(report.timedOutIds.sort());
  });

  it('times out a tmux-backed session: keeps its output, kills its tmux session', async () => {
    cleanup = new Cleanup();
    const { m, call } = await setup(cleanup);
    const spawned = await call('POST', '/api/sessions/spawn', {
      projectId: 'proj_p',
      command: ['sh', '-c', 'echo still thinking; exec sleep 300'],
    });
    expect(spawned.status).toBe(201);
    const name = spawned.body.runtime.tmuxSession as string;
    const alive = () =>
      execa('tmux', ['-L', m.config.tmuxSocket, 'has-session', '-t', `=${name}`], { reject: false }).then(
        (r) => r.exitCode === 0,
      );
    expect(await alive()).toBe(true);
    // The command prints before the clock moves: wait for its output, not for time.
    const tmux = new TmuxSessionManager({ socket: m.config.tmuxSocket, owner: await m.services.store.instanceId() });
    await until(async () => (await tmux.capture(name, 10)).includes('still thinking'), 5000, 'output');
    m.clock.advance(TIMEOUT_SECS * 1000 + 1);
    const { timedOut } = await m.sweeper.sweep();
    expect(timedOut).toBe(1);
    const ended = (await call('GET', `/api/sessions/${spawned.body.id}`)).body as Session;
    expect(ended).toMatchObject({ status: 'failed', endReason: 'timed_out' });
    expect(ended.output).toContain('still thinking');
    expect(await alive()).toBe(false);
  });

  it("an end is not activity, leaves the agent's state exited from that moment (none when it had none) and keeps its note", async () => {
    cleanup = new Cleanup();
    const { m, call } = await setup(cleanup);
    const spawned = (await call('POST', '/api/sessions/spawn', { projectId: 'proj_p', command: ['sleep', '300'] }))
      .body as Session;
    const record = (await call('POST', '/api/sessions', { projectId: 'proj_p' })).body as Session;
    expect(spawned.agentState).toBe('starting');
    expect(record.agentState).toBeNull();
    m.clock.advance(5000);
    const at = new Date(m.clock.now()).toISOString();
    for (const s of [spawned, record]) {
      const ended = (await call('POST', `/api/sessions/${s.id}/end`, { reason: 'stopped', note: 'enough for today' }))
        .body as Session;
      expect(ended).toMatchObject({
        status: 'completed',
        endReason: 'stopped',
        endNote: 'enough for today',
        completedAt: at,
        waitingFor: null,
        // Ending is not activity.
        lastActivityAt: s.lastActivityAt,
        messageCount: s.messageCount,
      });
      expect({ agentState: ended.agentState, since: ended.agentStateSince }).toEqual(
        s.agentState === null ? { agentState: null, since: null } : { agentState: 'exited', since: at },
      );
    }
  });

  it('purges ended sessions after the retention with the cascade of a delete', async () => {
    cleanup = new Cleanup();
    const { m, call } = await setup(cleanup);
    await call('POST', '/api/sessions', { id: 'sess_old', projectId: 'proj_p', taskId: 'task_t' });
    await call('POST', '/api/sessions/sess_old/end', { reason: 'completed' });
    m.clock.advance(RETENTION_SECS * 1000 - 1);
    expect((await m.sweeper.sweep()).purged).toBe(0);
    m.clock.advance(1);
    const dry = await m.sweeper.sweep({ dryRun: true });
    expect(dry).toMatchObject({ purged: 1, purgedIds: ['sess_old'] });
    expect((await call('GET', '/api/sessions/sess_old')).status).toBe(200);
    expect((await m.sweeper.sweep()).purged).toBe(1);
    expect((await call('GET', '/api/sessions/sess_old')).status).toBe(404);
    const task = (await call('GET', '/api/tasks/task_t')).body as Task;
    expect(task.sessionIds).toEqual([]);
    // The end shows once: the purge of an ended session adds nothing to the timeline.
    expect(task.timeline.filter((e) => e.type === 'session_ended')).toEqual([
      expect.objectContaining({ sessionId: 'sess_old', data: { reason: 'completed' } }),
    ]);
    expect((await events(m)).at(-1)).toMatchObject({
      type: 'sessions:purged',
      data: { reason: 'purged', sessions: [{ id: 'sess_old', projectId: 'proj_p', taskIds: ['task_t'] }] },
    });
  });

  it('retention 0 deletes a session as soon as it ends', async () => {
    cleanup = new Cleanup();
    const { m, call } = await setup(cleanup, { retentionSecs: 0 });
    await call('POST', '/api/sessions', { id: 'sess_a', projectId: 'proj_p', taskId: 'task_t' });
    await call('POST', '/api/sessions/sess_a/end', {});
    expect((await call('GET', '/api/sessions/sess_a')).status).toBe(404);
    await call('POST', '/api/sessions', { id: 'sess_b', projectId: 'proj_p' });
    m.clock.advance(TIMEOUT_SECS * 1000 + 1);
    await m.sweeper.sweep();
    expect((await call('GET', '/api/sessions/sess_b')).status).toBe(404);
    expect((await call('GET', '/api/tasks/task_t')).body.sessionIds).toEqual([]);
  });

  it('refuses one session over the limit with 429 and changes nothing; allows it after the cleanup', async () => {
    cleanup = new Cleanup();
    const { m, call } = await setup(cleanup, { maxSessions: 2 });
    await call('POST', '/api/sessions', { id: 'sess_1', projectId: 'proj_p' });
    await call('POST', '/api/sessions', { id: 'sess_2', projectId: 'proj_q' });
    const seq = await m.services.store.lastSeq();
    const refused = await call('POST', '/api/sessions', { id: 'sess_3', projectId: 'proj_p', taskId: 'task_t' });
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ error: true, code: 'limit_exceeded', details: { limit: 2, current: 2 } });
    const spawnRefused = await call('POST', '/api/sessions/spawn', { id: 'sess_3', projectId: 'proj_p', command: ['true'] });
    expect(spawnRefused.status).toBe(429);
    expect(await m.services.store.lastSeq()).toBe(seq);
    expect((await call('GET', '/api/tasks/task_t')).body.sessionIds).toEqual([]);
    expect((await call('GET', '/api/sessions/sess_3')).status).toBe(404);

    m.clock.advance(TIMEOUT_SECS * 1000 + 1);
    await m.sweeper.sweep();
    expect((await call('POST', '/api/sessions', { id: 'sess_3', projectId: 'proj_p' })).status).toBe(201);
  });

  it('applies the optional per-project limit', async () => {
    cleanup = new Cleanup();
    const { call } = await setup(cleanup, { maxSessionsPerProject: 1 });
    expect((await call('POST', '/api/sessions', { projectId: 'proj_p' })).status).toBe(201);
    const refused = await call('POST', '/api/sessions', { projectId: 'proj_p' });
    expect(refused.status).toBe(429);
    expect(refused.body.details).toMatchObject({ limit: 1, current: 1, projectId: 'proj_p' });
    expect((await call('POST', '/api/sessions', { projectId: 'proj_q' })).status).toBe(201);
  });

  it('reports metrics in health and Prometheus after each step', async () => {
    cleanup = new Cleanup();
    const { m, call } = await setup(cleanup);
    const health = async () => (await call('GET', '/api/health')).body;
    const prom = async () => (await call('GET', '/metrics')).body as string;

    expect((await health()).sessions).toMatchObject({ total: 0, active: 0, oldestAgeSecs: null });
    await call('POST', '/api/sessions', { id: 'sess_a', projectId: 'proj_p' });
    m.clock.advance(60_000);
    await call('POST', '/api/sessions', { id: 'sess_b', projectId: 'proj_p' });
    m.clock.advance(60_000);
    expect((await health()).sessions).toEqual({
      total: 2,
      active: 2,
      byStatus: { initializing: 2 },
      byAgentState: {},
      oldestAgeSecs: 120,
      newestAgeSecs: 60,
      averageAgeSecs: 90,
    });
    let text = await prom();
    expect(metric(text, 'maestro_sessions_created_total')).toBe(2);
    expect(metric(text, 'maestro_sessions_active')).toBe(2);
    expect(text).toContain('maestro_sessions{status="initializing"} 2');
    expect(text).toContain('maestro_sessions_agent_state{state="waiting"} 0');

    // An agent reports that it waits: counted by agent state, live only.
    await call('POST', '/api/sessions/sess_a/needs-input', { reason: 'question', message: 'which?' });
    expect((await health()).sessions.byAgentState).toEqual({ waiting: 1 });
    expect(await prom()).toContain('maestro_sessions_agent_state{state="waiting"} 1');

    await call('POST', '/api/sessions/sess_a/end', { reason: 'killed' });
    await call('DELETE', '/api/sessions/sess_a');
    text = await prom();
    expect(text).toContain('maestro_sessions_ended_total{reason="killed"} 1');
    expect(metric(text, 'maestro_sessions_deleted_total')).toBe(1);
    expect(metric(text, 'maestro_sessions_active')).toBe(1);

    m.clock.advance(TIMEOUT_SECS * 1000);
    await m.sweeper.sweep();
    const h = await health();
    expect(h.sessions).toMatchObject({ total: 1, active: 0, byStatus: { failed: 1 }, byAgentState: {} });
    expect(h.lastSweep).toMatchObject({ timedOut: 1, purged: 0, at: new Date(m.clock.now()).toISOString() });
    text = await prom();
    expect(text).toContain('maestro_sessions_ended_total{reason="timed_out"} 1');
    expect(metric(text, 'maestro_sweep_duration_seconds_count')).toBe(1);

    m.clock.advance(RETENTION_SECS * 1000);
    await m.sweeper.sweep();
    text = await prom();
    expect(metric(text, 'maestro_sessions_purged_total')).toBe(1);
    expect((await health()).sessions.total).toBe(0);
  });

  it('cleanup over HTTP: dry run lists, limit caps the purge', async () => {
    cleanup = new Cleanup();
    const { m, call } = await setup(cleanup);
    for (let i = 0; i < 5; i++) {
      await call('POST', '/api/sessions', { id: `sess_${i}`, projectId: 'proj_p' });
      await call('POST', `/api/sessions/sess_${i}/end`, {});
    }
    m.clock.advance(RETENTION_SECS * 1000);
    expect((await call('POST', '/api/maintenance/cleanup', { dryRun: true })).body).toMatchObject({ dryRun: true, purged: 5 });
    expect((await call('POST', '/api/maintenance/cleanup', { limit: 2 })).body).toMatchObject({ purged: 2 });
    expect((await call('POST', '/api/maintenance/cleanup', {})).body).toMatchObject({ purged: 3 });
    expect((await call('POST', '/api/maintenance/cleanup', { limit: 0 })).status).toBe(400);
  });

  it('keeps the newest events only; a client resuming from a pruned cursor is told to resync', async () => {
    cleanup = new Cleanup();
    const { m } = await setup(cleanup, { eventRetention: 5 });
    for (let i = 0; i < 10; i++) await m.services.sessions.create({ projectId: 'proj_p', name: `s${i}` });
    const last = await m.services.store.lastSeq();
    expect(await m.services.store.firstSeq()).toBe(1);
    const report = await m.sweeper.sweep();
    expect(report.eventsPruned).toBe(last - 5);
    expect(await m.services.store.firstSeq()).toBe(last - 4);
    expect((await events(m)).map((e) => e.seq)).toEqual([last - 4, last - 3, last - 2, last - 1, last]);
    expect((await m.sweeper.sweep()).eventsPruned).toBe(0);

    const outcome = await new Promise<string>((resolve) =>
      m.services.events
        .subscribe(1, { onEvent: () => resolve('event'), onReady: () => resolve('ready'), onResync: () => resolve('resync') })
        .catch(() => resolve('error')),
    );
    expect(outcome).toBe('resync');
    const resumed = await new Promise<number[]>((resolve) => {
      const seen: number[] = [];
      void m.services.events.subscribe(last - 5, {
        onEvent: (e) => seen.push(e.seq),
        onReady: () => resolve(seen),
        onResync: () => resolve([-1]),
      });
    });
    expect(resumed).toEqual([last - 4, last - 3, last - 2, last - 1, last]);
  });

  it('tmux activity of a live session counts as activity in the reconcile pass', async () => {
    cleanup = new Cleanup();
    const { m, call } = await setup(cleanup);
    m.clock.set(Date.now() - 2 * 60_000); // the record's activity is two minutes older than tmux's
    const spawned = await call('POST', '/api/sessions/spawn', { projectId: 'proj_p', command: ['sleep', '300'] });
    const before = Date.parse(spawned.body.lastActivityAt);
    const report = await m.reconciler.reconcile();
    expect(report.active).toEqual([spawned.body.id]);
    const after = (await call('GET', `/api/sessions/${spawned.body.id}`)).body as Session;
    expect(Date.parse(after.lastActivityAt)).toBeGreaterThan(before + 60_000);
    expect(after.messageCount).toBe(0);
    expect((await m.reconciler.reconcile()).active).toEqual([]);
  });

  it('a failing sweeper shows in health, metrics and the event log until a pass succeeds again', async () => {
    cleanup = new Cleanup();
    const { m, call } = await setup(cleanup);
    const loopEvent = (type: 'loop:failed' | 'loop:recovered') => nextEvent(m.services.store, type);
    const failing = () => call('GET', '/api/health').then((r) => (r.body as { failingLoops: unknown[] }).failingLoops);
    const gauge = async () => {
      const text = (await call('GET', '/metrics')).body as string;
      return metric(text, 'maestro_loop_failing{loop="sweeper"}');
    };

    const spy = vi.spyOn(m.services.sessions.expiry, 'expireInactive').mockRejectedValueOnce(new Error('disk I/O error'));
    const failed = loopEvent('loop:failed');
    m.sweeper.start(); // the first pass runs at once, and fails
    expect((await failed).data).toEqual({ loop: 'sweeper', message: 'disk I/O error' });
    expect(await failing()).toEqual([
      { loop: 'sweeper', since: new Date(m.clock.now()).toISOString(), failures: 1, message: 'disk I/O error' },
    ]);
    expect(await gauge()).toBe(1);

    await m.sweeper.stop();
    const recovered = loopEvent('loop:recovered');
    m.sweeper.start(); // this pass succeeds
    expect((await recovered).data).toEqual({ loop: 'sweeper', failures: 1 });
    expect(await failing()).toEqual([]);
    expect(await gauge()).toBe(0);
    expect(spy).toHaveBeenCalledTimes(2);
    await m.sweeper.stop();
  });
});
