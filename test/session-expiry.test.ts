import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../src/core/clock.js';
import type { GitInspector } from '../src/core/runtime.js';
import { RUNTIME_ACTIVITY_GRANULARITY_MS, SessionExpiry } from '../src/core/sessions/session-expiry.js';
import type { SessionEnder } from '../src/core/sessions/session-lifecycle.js';
import { type MaestroEvent, NotFoundError, newProject, type Session } from '../src/domain/index.js';
import { openSqliteStore, type SessionRow } from '../src/store/index.js';
import { Cleanup, gate, quietLog, sessionRow, stubRuntime, testMaestro, tmuxRuntime } from './helpers.js';

const TIMEOUT_SECS = 3600;
const RETENTION_SECS = 86_400;

type LogLine = { msg: string; [k: string]: unknown };

async function setup(cleanup: Cleanup, config: { retentionSecs?: number } = {}) {
  const logs: LogLine[] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => logs.push(JSON.parse(line)) });
  const m = await testMaestro(cleanup, { sessionTimeoutSecs: TIMEOUT_SECS, retentionSecs: RETENTION_SECS, ...config }, { log });
  await m.services.projects.create({ id: 'proj_p', name: 'p', repoPath: m.dir });
  const logged = (msg: string) => logs.filter((l) => l.msg === msg);
  return Object.assign(m, { logged });
}

/** A session row as another node (or an import) writes it, with activity at `activityMs`. */
const row = (id: string, activityMs: number, patch: Partial<SessionRow> = {}): SessionRow => ({
  ...sessionRow(id, 'proj_p', activityMs),
  ...patch,
});

/**
 * A SessionExpiry over an in-memory store (holding project `proj_p`) and a manual clock, its runtime
 * recording the transcripts it removes (a name ending in `_broken` fails), ending tmux-backed
 * sessions through `end` (default: nothing).
 */
async function unit(
  cleanup: Cleanup,
  options: {
    timeoutSecs?: number;
    warningSecs?: number;
    pausedTimeoutSecs?: number;
    retentionSecs?: number;
    end?: SessionEnder['end'];
  } = {},
) {
  const store = await openSqliteStore(':memory:');
  cleanup.add(() => store.close());
  const clock = new ManualClock(Date.parse('2026-03-01T10:00:00.000Z'));
  await store.transaction((tx) => tx.insertProject(newProject({ id: 'proj_p', name: 'p', repoPath: '/tmp' }, clock.now())));
  const removed: string[] = [];
  const runtime = stubRuntime('h', {
    removeTranscript: async (name) => {
      removed.push(name);
      if (name.endsWith('_broken')) throw new Error('disk gone');
    },
  });
  const expiry = new SessionExpiry(
    { store, clock, log: quietLog(), git: {} as GitInspector, runtime },
    {
      sessionTimeoutSecs: options.timeoutSecs ?? TIMEOUT_SECS,
      sessionTimeoutWarningSecs: options.warningSecs,
      sessionPausedTimeoutSecs: options.pausedTimeoutSecs,
      retentionSecs: options.retentionSecs ?? RETENTION_SECS,
    },
    { end: options.end ?? (async () => ({}) as Session) },
  );
  return { store, clock, expiry, removed };
}

describe('expiry on reads: the remembered deadline', () => {
  let cleanup: Cleanup;
  afterEach(() => cleanup.run());

  it('is trusted for less than 1 s: a live session another node wrote with old activity is timed out by the first read 1 s later', async () => {
    cleanup = new Cleanup();
    const m = await setup(cleanup);
    const oldest = vi.spyOn(m.services.store, 'oldestActivity');
    await m.services.sessions.create({ id: 'sess_here', projectId: 'proj_p' }); // remembers: nothing due for an hour
    await m.services.sessions.get('sess_here');
    expect(oldest).toHaveBeenCalledTimes(1);
    const t0 = m.clock.now();

    // Another node (its own process, its own memory) writes a live session idle for over the
    // timeout: this node is not told, so only the bounded trust of its deadline catches it.
    await m.services.store.transaction((tx) => tx.insertSession(row('sess_there', t0 - TIMEOUT_SECS * 1000 - 5000)));

    m.clock.set(t0 + 999);
    expect(await m.services.sessions.get('sess_there')).toMatchObject({ status: 'initializing' });
    expect(oldest).toHaveBeenCalledTimes(1); // trusted: no query
    m.clock.set(t0 + 1000);
    expect(await m.services.sessions.get('sess_there')).toMatchObject({ status: 'failed', endReason: 'timed_out' });
    expect(oldest).toHaveBeenCalledTimes(2);
    expect(await m.services.sessions.get('sess_here')).toMatchObject({ status: 'initializing' });
  });

  it('remembers the deadline of the oldest live session, not of the read: it times out on time within the trusted second', async () => {
    cleanup = new Cleanup();
    const m = await setup(cleanup);
    const t0 = m.clock.now();
    await m.services.sessions.create({ id: 'sess_a', projectId: 'proj_p' });
    const oldest = vi.spyOn(m.services.store, 'oldestActivity');
    m.clock.set(t0 + TIMEOUT_SECS * 1000 - 500);
    expect(await m.services.sessions.get('sess_a')).toMatchObject({ status: 'initializing' }); // remembers t0 + timeout
    expect(oldest).toHaveBeenCalledTimes(1);
    m.clock.set(t0 + TIMEOUT_SECS * 1000); // exactly the timeout: not yet idle longer than it
    expect(await m.services.sessions.get('sess_a')).toMatchObject({ status: 'initializing' });
    m.clock.set(t0 + TIMEOUT_SECS * 1000 + 1);
    expect(await m.services.sessions.get('sess_a')).toMatchObject({ status: 'failed', endReason: 'timed_out' });
  });

  it('at exactly the timeout, starts no pass: a session is due only when idle longer than it', async () => {
    cleanup = new Cleanup();
    const m = await setup(cleanup);
    const t0 = m.clock.now();
    await m.services.sessions.create({ id: 'sess_a', projectId: 'proj_p' });
    m.clock.set(t0 + TIMEOUT_SECS * 1000);
    const writes = vi.spyOn(m.services.store, 'transaction');
    expect(await m.services.sessions.get('sess_a')).toMatchObject({ status: 'initializing' });
    expect(writes).not.toHaveBeenCalled();
  });

  it('a clock set back does not trust a deadline remembered at a later time', async () => {
    cleanup = new Cleanup();
    const m = await setup(cleanup);
    await m.services.sessions.create({ id: 'sess_here', projectId: 'proj_p' }); // remembers at t0
    const t0 = m.clock.now();
    await m.services.store.transaction((tx) => tx.insertSession(row('sess_there', t0 - TIMEOUT_SECS * 1000 - 5000)));
    m.clock.set(t0 - 500); // half a second back: not "less than 1 s after" the check
    expect(await m.services.sessions.get('sess_there')).toMatchObject({ status: 'failed', endReason: 'timed_out' });
  });

  it('deleting a session linked to tasks removes the links both ways, with their events', async () => {
    cleanup = new Cleanup();
    const m = await setup(cleanup);
    await m.services.tasks.create({ id: 'task_a', projectId: 'proj_p', title: 'a' });
    await m.services.tasks.create({ id: 'task_b', projectId: 'proj_p', title: 'b' });
    await m.services.sessions.create({ id: 'sess_x', projectId: 'proj_p', taskIds: ['task_a', 'task_b'] });
    const seq = await m.services.store.lastSeq();
    await m.services.sessions.delete('sess_x');
    const events = (await m.services.store.listEvents(seq, 100)).map((e) => ({ type: e.type, data: e.data }));
    expect(events).toEqual([
      { type: 'session:task_removed', data: { sessionId: 'sess_x', taskId: 'task_a' } },
      { type: 'task:session_removed', data: { taskId: 'task_a', sessionId: 'sess_x' } },
      { type: 'session:task_removed', data: { sessionId: 'sess_x', taskId: 'task_b' } },
      { type: 'task:session_removed', data: { taskId: 'task_b', sessionId: 'sess_x' } },
      { type: 'session:deleted', data: { id: 'sess_x', projectId: 'proj_p', taskIds: ['task_a', 'task_b'], reason: 'deleted' } },
    ]);
  });

  it('with no live session, remembers that nothing is due until a session could be', async () => {
    cleanup = new Cleanup();
    const m = await setup(cleanup);
    const oldest = vi.spyOn(m.services.store, 'oldestActivity');
    await m.services.sessions.list({});
    await m.services.sessions.list({});
    expect(oldest).toHaveBeenCalledTimes(1);
  });

  it('an import of a session with older activity forgets the remembered deadline at once', async () => {
    cleanup = new Cleanup();
    const m = await setup(cleanup);
    const t0 = m.clock.now();
    await m.services.sessions.create({ id: 'sess_new', projectId: 'proj_p' }); // remembers t0 + timeout
    const exported: Session = { ...row('sess_old', t0 - TIMEOUT_SECS * 1000 - 1), taskIds: [] };
    await m.services.sessions.importMetadata(exported);
    // Same instant, well within the trusted second: only forgetting the deadline finds it.
    expect(await m.services.sessions.get('sess_old')).toMatchObject({ status: 'failed', endReason: 'timed_out' });
  });

  it('concurrent reads share one expiry pass', async () => {
    cleanup = new Cleanup();
    const m = await setup(cleanup);
    const t0 = m.clock.now();
    await m.services.sessions.create({ id: 'sess_a', projectId: 'proj_p' });
    m.clock.set(t0 + TIMEOUT_SECS * 1000 + 1);
    const writes = vi.spyOn(m.services.store, 'transaction');
    await Promise.all([m.services.sessions.expireDue(), m.services.sessions.expireDue(), m.services.sessions.expireDue()]);
    expect(writes).toHaveBeenCalledTimes(1); // one pass: one batch, one transaction
    expect(m.logged('sessions timed out')).toHaveLength(1);
    // The pass is over: the next due session gets a pass of its own.
    await m.services.sessions.create({ id: 'sess_b', projectId: 'proj_p' });
    m.clock.advance(TIMEOUT_SECS * 1000 + 1);
    await m.services.sessions.expireDue();
    expect(await m.services.sessions.get('sess_b')).toMatchObject({ status: 'failed', endReason: 'timed_out' });
  });
});

describe('timeout and purge passes', () => {
  let cleanup: Cleanup;
  afterEach(() => cleanup.run());

  it('a dry run reports what would time out and changes nothing', async () => {
    cleanup = new Cleanup();
    const m = await setup(cleanup);
    const t0 = m.clock.now();
    await m.services.sessions.create({ id: 'sess_a', projectId: 'proj_p' });
    await m.services.sessions.create({ id: 'sess_b', projectId: 'proj_p' });
    m.clock.set(t0 + TIMEOUT_SECS * 1000 + 1);
    const seq = await m.services.store.lastSeq();
    expect(await m.services.sessions.expiry.expireInactive({ dryRun: true })).toEqual({ count: 2, ids: ['sess_a', 'sess_b'] });
    expect(await m.services.store.lastSeq()).toBe(seq);
    expect((await m.services.store.getSession('sess_a'))?.status).toBe('initializing');
    expect(m.logged('sessions timed out')).toEqual([]);
    expect(await m.services.sessions.expiry.expireInactive()).toEqual({ count: 2, ids: ['sess_a', 'sess_b'] });
    const [line] = m.logged('sessions timed out');
    expect(line).toMatchObject({ count: 2, cutoff: new Date(t0 + 1).toISOString(), reason: 'timed_out' });
    expect(await m.services.sessions.expiry.expireInactive()).toEqual({ count: 0, ids: [] });
    expect(m.logged('sessions timed out')).toHaveLength(1); // nothing due, nothing logged
  });

  it('ends and purges more than one batch (10,000 a transaction) in one pass, a limit counting across batches', async () => {
    cleanup = new Cleanup();
    const m = await setup(cleanup);
    const t0 = m.clock.now();
    const total = 10_003;
    await m.services.store.transaction(async (tx) => {
      for (let i = 0; i < total; i++) await tx.insertSession(row(`sess_${String(i).padStart(5, '0')}`, t0));
    });
    m.clock.set(t0 + TIMEOUT_SECS * 1000 + 1);
    const result = await m.services.sessions.expiry.expireInactive();
    expect(result.count).toBe(total);
    expect(m.logged('sessions timed out').map((l) => l.count)).toEqual([10_000, 3]);
    expect(await m.services.store.countActiveSessions()).toBe(0);
    m.clock.advance(RETENTION_SECS * 1000);
    // The second batch asks only for what the limit leaves (10,001 − 10,000), not another 10,000.
    const limited = await m.services.sessions.expiry.purgeEnded({ limit: 10_001 });
    expect(limited.count).toBe(10_001);
    expect(m.logged('ended sessions purged').map((l) => l.count)).toEqual([10_000, 1]);
    expect(await m.services.sessions.expiry.purgeEnded()).toMatchObject({ count: 2 });
  });

  it('a purge reports a dry run, honours its limit, tells its progress and logs what went', async () => {
    cleanup = new Cleanup();
    const m = await setup(cleanup);
    const t0 = m.clock.now();
    for (const id of ['sess_1', 'sess_2', 'sess_3']) {
      await m.services.sessions.create({ id, projectId: 'proj_p' });
      await m.services.sessions.end(id, 'completed');
      m.clock.advance(1000);
    }
    m.clock.set(t0 + RETENTION_SECS * 1000); // sess_1 ended exactly a retention ago: due
    expect(await m.services.sessions.expiry.purgeEnded({ dryRun: true })).toEqual({ count: 1, ids: ['sess_1'] });
    expect(await m.services.store.getSession('sess_1')).toBeDefined();
    m.clock.set(t0 + RETENTION_SECS * 1000 + 5000);
    const progress: number[] = [];
    const first = await m.services.sessions.expiry.purgeEnded({ limit: 2, onProgress: (n) => progress.push(n) });
    expect(first).toEqual({ count: 2, ids: ['sess_1', 'sess_2'], worktreesKept: [] });
    expect(progress).toEqual([2]);
    expect(m.logged('ended sessions purged')).toMatchObject([
      { count: 2, cutoff: new Date(t0 + 5000).toISOString(), reason: 'purged' },
    ]);
    expect(await m.services.sessions.expiry.purgeEnded({ onProgress: (n) => progress.push(n) })).toEqual({
      count: 1,
      ids: ['sess_3'],
      worktreesKept: [],
    });
    expect(await m.services.sessions.expiry.purgeEnded({ onProgress: (n) => progress.push(n) })).toEqual({
      count: 0,
      ids: [],
      worktreesKept: [],
    });
    expect(progress).toEqual([2, 1]); // nothing purged, no progress told
    expect(m.logged('ended sessions purged')).toHaveLength(2);
  });

  it('with retention 0, a session that times out is purged in the same pass', async () => {
    cleanup = new Cleanup();
    const m = await setup(cleanup, { retentionSecs: 0 });
    const t0 = m.clock.now();
    await m.services.sessions.create({ id: 'sess_a', projectId: 'proj_p' });
    m.clock.set(t0 + TIMEOUT_SECS * 1000 + 1);
    expect(await m.services.sessions.expiry.expireInactive()).toEqual({ count: 1, ids: ['sess_a'] });
    expect(await m.services.store.getSession('sess_a')).toBeUndefined();
  });

  it('a tmux-backed session ended by someone else meanwhile counts as timed out; another failure stops the pass', async () => {
    cleanup = new Cleanup();
    const ended: string[] = [];
    let failure: Error = new NotFoundError('session', 'sess_gone');
    const { store, clock, expiry } = await unit(cleanup, {
      end: async (id) => {
        ended.push(id);
        throw failure;
      },
    });
    await store.transaction(async (tx) => {
      await tx.insertSession(row('sess_gone', clock.now(), { runtime: tmuxRuntime('sess_gone', 'h') }));
      await tx.insertSession(row('sess_plain', clock.now()));
    });
    clock.advance(TIMEOUT_SECS * 1000 + 1);
    // Gone already (deleted or ended by another request): the goal is reached.
    expect(await expiry.expireInactive()).toEqual({ count: 2, ids: ['sess_gone', 'sess_plain'] });
    expect(ended).toEqual(['sess_gone']); // only the tmux-backed one is ended one by one
    expect((await store.getSession('sess_plain'))?.endReason).toBe('timed_out');

    await store.transaction((tx) =>
      tx.insertSession(row('sess_stuck', clock.now() - TIMEOUT_SECS * 1000 - 1, { runtime: tmuxRuntime('sess_stuck', 'h') })),
    );
    failure = new Error('tmux is wedged');
    await expect(expiry.expireInactive()).rejects.toThrow('tmux is wedged');
  });
});

describe('SessionExpiry, unit', () => {
  let cleanup: Cleanup;
  afterEach(() => cleanup.run());
  const WARNING_SECS = 300;

  it('warns a paused session against its own deadline, and never when paused sessions do not time out', async () => {
    cleanup = new Cleanup();
    const { clock, expiry } = await unit(cleanup, { warningSecs: WARNING_SECS, pausedTimeoutSecs: 3 * TIMEOUT_SECS });
    const at = clock.now();
    clock.advance(3 * TIMEOUT_SECS * 1000 - WARNING_SECS * 1000);
    expect(await expiry.warnDue([{ id: 'sess_p', lastActivityAt: at, paused: true }])).toEqual(['sess_p']);
    // The same session unpaused is past its deadline: due for its timeout, too late for a warning.
    expect(await expiry.warnDue([{ id: 'sess_q', lastActivityAt: at }])).toEqual([]);

    const { clock: clock2, expiry: never } = await unit(cleanup, { warningSecs: WARNING_SECS });
    clock2.advance(100 * TIMEOUT_SECS * 1000);
    expect(await never.warnDue([{ id: 'sess_p', lastActivityAt: at, paused: true }])).toEqual([]);
  });

  it('names the deadline it warns of, and forgets a session no longer listed (listed again, it is warned again)', async () => {
    cleanup = new Cleanup();
    const { store, clock, expiry } = await unit(cleanup, { warningSecs: WARNING_SECS, pausedTimeoutSecs: 3 * TIMEOUT_SECS });
    const at = clock.now();
    const warnings: MaestroEvent[] = [];
    store.onEvents((events) => warnings.push(...events));
    clock.advance(TIMEOUT_SECS * 1000 - 1000);
    const live = { id: 'sess_a', lastActivityAt: at };
    expect(await expiry.warnDue([live])).toEqual(['sess_a']);
    expect(await expiry.warnDue([live])).toEqual([]);
    expect(await expiry.warnDue([])).toEqual([]);
    expect(await expiry.warnDue([live])).toEqual(['sess_a']);
    const paused = { id: 'sess_b', lastActivityAt: at, paused: true };
    clock.set(at + 3 * TIMEOUT_SECS * 1000 - 1000);
    expect(await expiry.warnDue([paused])).toEqual(['sess_b']);
    expect(warnings.map((e) => e.data)).toEqual([
      { id: 'sess_a', at: new Date(at + TIMEOUT_SECS * 1000).toISOString() },
      { id: 'sess_a', at: new Date(at + TIMEOUT_SECS * 1000).toISOString() },
      { id: 'sess_b', at: new Date(at + 3 * TIMEOUT_SECS * 1000).toISOString() },
    ]);
  });

  it('a pass with nothing to warn of, or no warning window, writes nothing', async () => {
    cleanup = new Cleanup();
    const quiet = await unit(cleanup, { warningSecs: 0 });
    const writes = vi.spyOn(quiet.store, 'transaction');
    quiet.clock.advance(TIMEOUT_SECS * 1000 - 1);
    expect(await quiet.expiry.warnDue([{ id: 'sess_a', lastActivityAt: quiet.clock.now() - TIMEOUT_SECS * 1000 + 1 }])).toEqual(
      [],
    );
    const early = await unit(cleanup, { warningSecs: WARNING_SECS });
    const earlyWrites = vi.spyOn(early.store, 'transaction');
    expect(await early.expiry.warnDue([{ id: 'sess_a', lastActivityAt: early.clock.now() }])).toEqual([]);
    expect(writes).not.toHaveBeenCalled();
    expect(earlyWrites).not.toHaveBeenCalled();
  });

  it('a purge removes the transcripts of tmux-backed sessions only, and one it cannot remove stops nothing', async () => {
    cleanup = new Cleanup();
    const { store, clock, expiry, removed } = await unit(cleanup);
    const ended = {
      status: 'completed' as const,
      endReason: 'completed' as const,
      completedAt: new Date(clock.now()).toISOString(),
    };
    await store.transaction(async (tx) => {
      await tx.insertSession(row('sess_t', clock.now(), { runtime: tmuxRuntime('sess_t', 'h'), ...ended }));
      await tx.insertSession(row('sess_t_broken', clock.now(), { runtime: tmuxRuntime('sess_t_broken', 'h'), ...ended }));
      await tx.insertSession(row('sess_plain', clock.now(), ended));
    });
    clock.advance(RETENTION_SECS * 1000);
    expect((await expiry.purgeEnded()).count).toBe(3);
    expect(removed.sort()).toEqual(['maestro-sess_t', 'maestro-sess_t_broken']);
  });

  it('a read while a pass runs joins it, without a query of its own', async () => {
    cleanup = new Cleanup();
    const { store, clock, expiry } = await unit(cleanup);
    await store.transaction((tx) => tx.insertSession(row('sess_a', clock.now())));
    clock.advance(TIMEOUT_SECS * 1000 + 1);
    const inPass = gate();
    const release = gate();
    const transaction = store.transaction.bind(store);
    vi.spyOn(store, 'transaction').mockImplementationOnce(async (fn) => {
      inPass.open();
      await release.promise;
      return transaction(fn);
    });
    const oldest = vi.spyOn(store, 'oldestActivity');
    const first = expiry.expireDue();
    await inPass.promise;
    const second = expiry.expireDue();
    release.open();
    await Promise.all([first, second]);
    expect(oldest).toHaveBeenCalledTimes(1);
    expect((await store.getSession('sess_a'))?.endReason).toBe('timed_out');
  });

  it('a paused session with a timeout of its own is neither timed out nor the cause of a pass before it', async () => {
    cleanup = new Cleanup();
    const { store, clock, expiry } = await unit(cleanup, { pausedTimeoutSecs: 3 * TIMEOUT_SECS });
    const t0 = clock.now();
    await store.transaction(async (tx) => {
      await tx.insertSession(row('sess_paused', clock.now(), { status: 'paused' }));
      await tx.insertSession(row('sess_idle', clock.now()));
    });
    clock.advance(TIMEOUT_SECS * 1000 + 1);
    expect(await expiry.expireInactive({ dryRun: true })).toEqual({ count: 1, ids: ['sess_idle'] });
    expect(await expiry.expireInactive()).toEqual({ count: 1, ids: ['sess_idle'] });
    expect((await store.getSession('sess_paused'))?.status).toBe('paused');
    // Past the inactivity timeout but before its own: a read starts no pass for it.
    const writes = vi.spyOn(store, 'transaction');
    await expiry.expireDue();
    expect(writes).not.toHaveBeenCalled();
    clock.set(t0 + 3 * TIMEOUT_SECS * 1000 + 1);
    await expiry.expireDue();
    expect((await store.getSession('sess_paused'))?.endReason).toBe('timed_out');
  });

  it('writes runtime activity at most every 10 s, or every tenth of a shorter timeout', async () => {
    cleanup = new Cleanup();
    const { expiry } = await unit(cleanup);
    expect(expiry.activityGranularityMs).toBe(RUNTIME_ACTIVITY_GRANULARITY_MS);
    const { expiry: short } = await unit(cleanup, { timeoutSecs: 30 });
    expect(short.activityGranularityMs).toBe(3000);
  });
});
