import { decodeTime } from 'ulid';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ConflictError,
  type MaestroEvent,
  type NewEvent,
  newId,
  newProject,
  type Project,
  type SessionFilter,
} from '../src/domain/index.js';
import type { SessionRow, Store, TaskRow } from '../src/store/index.js';
import { sessionRow } from './helpers.js';

/** Opens a fresh, empty store; `reopen` opens the same database again (after `close`). */
export interface StoreFixture {
  store: Store;
  reopen(): Promise<Store>;
  cleanup(): Promise<void>;
}

const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const at = (offsetSecs: number) => new Date(T0 + offsetSecs * 1000).toISOString();

const project = (id = 'proj_a'): Project => newProject({ id, name: `Project ${id}`, repoPath: '/tmp/repo' }, T0);
const task = (id: string, projectId = 'proj_a'): TaskRow => ({
  id,
  projectId,
  parentId: null,
  title: `Task ${id}`,
  description: '',
  statusBy: null,
  priority: 0,
  startedAt: null,
  completedAt: null,
  status: 'todo',
  createdAt: at(1),
  updatedAt: at(1),
});
const session = (id: string, offsetSecs: number, patch: Partial<SessionRow> = {}): SessionRow => ({
  ...sessionRow(id, 'proj_a', T0 + offsetSecs * 1000),
  ...patch,
});
const filter = (f: Partial<SessionFilter> = {}): SessionFilter => ({ limit: 100, ...f });
/** A small well-formed event naming `id`: the store keeps whatever it is given, in order. */
const marker = (id: string): NewEvent => ({
  type: 'session:deleted',
  data: { id, projectId: 'proj_a', taskIds: [], reason: 'test' },
});

/** The contract every Store engine must meet; run once per engine. */
export function describeStoreContract(engine: string, open: () => Promise<StoreFixture>): void {
  describe(`Store contract (${engine})`, () => {
    let fx: StoreFixture;
    let store: Store;

    beforeEach(async () => {
      fx = await open();
      store = fx.store;
      await store.transaction(async (tx) => {
        await tx.insertProject(project());
      });
    });
    afterEach(async () => {
      await fx.cleanup();
    });

    it('keeps what it committed across a reopen', async () => {
      await store.transaction(async (tx) => {
        await tx.insertSession(session('sess_keep', 5));
        await tx.appendEvents([marker('sess_keep')], T0);
      });
      await store.close();
      store = await fx.reopen();
      expect((await store.getSession('sess_keep'))?.id).toBe('sess_keep');
      expect(await store.lastSeq()).toBe(1);
    });

    it('refuses a duplicate id with a ConflictError and keeps the original', async () => {
      await expect(store.transaction((tx) => tx.insertProject({ ...project(), name: 'other' }))).rejects.toBeInstanceOf(
        ConflictError,
      );
      expect((await store.getProject('proj_a'))?.name).toBe('Project proj_a');
    });

    it('rolls back every row and event of a failed transaction, and delivers none of its events', async () => {
      const delivered: MaestroEvent[] = [];
      store.onEvents((events) => delivered.push(...events));
      await expect(
        store.transaction(async (tx) => {
          await tx.insertSession(session('sess_x', 1));
          await tx.appendEvents([marker('sess_x')], T0);
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(await store.getSession('sess_x')).toBeUndefined();
      expect(await store.lastSeq()).toBe(0);
      expect(delivered).toEqual([]);
    });

    it('numbers events in increasing order and delivers them after commit, in order', async () => {
      const delivered: number[] = [];
      store.onEvents((events) => delivered.push(...events.map((e) => e.seq)));
      for (let i = 0; i < 5; i++) {
        await store.transaction((tx) => tx.appendEvents([marker(`sess_${i}_1`), marker(`sess_${i}_2`)], T0 + i));
      }
      expect(delivered).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      const after4 = await store.listEvents(4, 3);
      expect(after4.map((e) => e.seq)).toEqual([5, 6, 7]);
      expect(after4[0]).toMatchObject({ type: 'session:deleted', data: { id: 'sess_2_1' }, at: new Date(T0 + 2).toISOString() });
      expect(after4[0]?.id).toMatch(/^evt_/);
      expect(await store.firstSeq()).toBe(1);
      expect(await store.lastSeq()).toBe(10);
    });

    it('a failure among concurrent transactions undoes only its own writes (group commit keeps them apart)', async () => {
      const delivered: MaestroEvent[] = [];
      store.onEvents((events) => delivered.push(...events));
      const write = (id: string, fail: boolean) =>
        store.transaction(async (tx) => {
          await tx.insertSession(session(id, 1));
          await tx.appendEvents([marker(id)], T0);
          if (fail) throw new Error(`boom ${id}`);
          return id;
        });
      // Started together, so on SQLite they share one commit.
      const outcomes = await Promise.allSettled([
        write('sess_g1', false),
        write('sess_g2', true),
        write('sess_g3', false),
        write('sess_g1', false), // a duplicate id: refused by the database itself
        write('sess_g4', false),
      ]);
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected', 'fulfilled']);
      expect(String((outcomes[1] as PromiseRejectedResult).reason)).toContain('boom sess_g2');
      expect((outcomes[3] as PromiseRejectedResult).reason).toBeInstanceOf(ConflictError);
      for (const id of ['sess_g1', 'sess_g3', 'sess_g4']) expect((await store.getSession(id))?.id).toBe(id);
      expect(await store.getSession('sess_g2')).toBeUndefined();
      // Only the committed ones' events, in order. (PostgreSQL sequences are not transactional: a
      // rolled-back append leaves a hole in the numbering there, never a lost event.)
      expect(delivered.map((e) => e.data.id)).toEqual(['sess_g1', 'sess_g3', 'sess_g4']);
      const seqs = delivered.map((e) => e.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      if (engine.startsWith('SQLite')) expect(seqs).toEqual([1, 2, 3]);
    });

    it('a group commit of two where one fails fails only that one, whichever it is', async () => {
      const delivered: MaestroEvent[] = [];
      store.onEvents((events) => delivered.push(...events));
      const write = (id: string, fail: boolean) =>
        store.transaction(async (tx) => {
          await tx.insertSession(session(id, 1));
          await tx.appendEvents([marker(id)], T0);
          if (fail) throw new Error(`boom ${id}`);
          return id;
        });
      // Two at a time, started together: on SQLite each pair shares one commit.
      const first = await Promise.allSettled([write('sess_p1', true), write('sess_p2', false)]);
      const second = await Promise.allSettled([write('sess_p3', false), write('sess_p4', true)]);
      expect([...first, ...second].map((o) => o.status)).toEqual(['rejected', 'fulfilled', 'fulfilled', 'rejected']);
      expect(String((first[0] as PromiseRejectedResult).reason)).toContain('boom sess_p1');
      expect(String((second[1] as PromiseRejectedResult).reason)).toContain('boom sess_p4');
      for (const id of ['sess_p1', 'sess_p4']) expect(await store.getSession(id)).toBeUndefined();
      for (const id of ['sess_p2', 'sess_p3']) expect((await store.getSession(id))?.id).toBe(id);
      expect(delivered.map((e) => e.data.id)).toEqual(['sess_p2', 'sess_p3']);
    });

    it('serialises concurrent transactions so events are delivered without gaps', async () => {
      const delivered: number[] = [];
      store.onEvents((events) => delivered.push(...events.map((e) => e.seq)));
      await Promise.all(
        Array.from({ length: 20 }, (_, i) => store.transaction((tx) => tx.appendEvents([marker(`sess_${i}`)], T0))),
      );
      expect(delivered).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    });

    it('links tasks and sessions both ways, once', async () => {
      await store.transaction(async (tx) => {
        await tx.insertTask(task('task_1'));
        await tx.insertTask(task('task_2'));
        await tx.insertSession(session('sess_1', 2));
        expect(await tx.linkTaskSession('task_1', 'sess_1', T0)).toBe(true);
        expect(await tx.linkTaskSession('task_1', 'sess_1', T0)).toBe(false);
        expect(await tx.linkTaskSession('task_2', 'sess_1', T0 + 1)).toBe(true);
      });
      expect((await store.getSession('sess_1'))?.taskIds).toEqual(['task_1', 'task_2']);
      expect((await store.getTask('task_1'))?.sessionIds).toEqual(['sess_1']);
      await store.transaction(async (tx) => {
        expect(await tx.unlinkTaskSession('task_1', 'sess_1')).toBe(true);
        expect(await tx.unlinkTaskSession('task_1', 'sess_1')).toBe(false);
      });
      expect((await store.getSession('sess_1'))?.taskIds).toEqual(['task_2']);
      expect((await store.getTask('task_1'))?.sessionIds).toEqual([]);
    });

    it('deleting a session removes its links; deleting a task removes its links and timeline', async () => {
      await store.transaction(async (tx) => {
        await tx.insertTask(task('task_1'));
        await tx.insertSession(session('sess_1', 2));
        await tx.insertSession(session('sess_2', 3));
        await tx.linkTaskSession('task_1', 'sess_1', T0);
        await tx.linkTaskSession('task_1', 'sess_2', T0);
        await tx.appendTimeline('task_1', { id: 'evt_t1', type: 'created', timestamp: at(1) });
        await tx.deleteSessions(['sess_1']);
      });
      expect(await store.getSession('sess_1')).toBeUndefined();
      expect((await store.getTask('task_1'))?.sessionIds).toEqual(['sess_2']);
      await store.transaction((tx) => tx.deleteTask('task_1'));
      expect(await store.getTask('task_1')).toBeUndefined();
      expect((await store.getSession('sess_2'))?.taskIds).toEqual([]);
    });

    it('deletes a project once its tasks and sessions are gone, and refuses while they reference it', async () => {
      await store.transaction(async (tx) => {
        await tx.insertProject(project('proj_b'));
        await tx.insertTask(task('task_b', 'proj_b'));
      });
      await expect(store.transaction((tx) => tx.deleteProject('proj_b'))).rejects.toThrow();
      expect(await store.getProject('proj_b')).toBeDefined();
      await store.transaction(async (tx) => {
        await tx.deleteTask('task_b');
        await tx.deleteProject('proj_b');
      });
      expect(await store.getProject('proj_b')).toBeUndefined();
      expect(await store.getProject('proj_a')).toBeDefined();
    });

    it('keeps a task timeline in order, with session ids and data', async () => {
      await store.transaction(async (tx) => {
        await tx.insertTask(task('task_1'));
        await tx.appendTimeline('task_1', { id: 'evt_2', type: 'session_started', timestamp: at(5), sessionId: 'sess_1' });
        await tx.appendTimeline('task_1', { id: 'evt_1', type: 'created', timestamp: at(1) });
        await tx.appendTimeline('task_1', {
          id: 'evt_3',
          type: 'session_ended',
          timestamp: at(9),
          sessionId: 'sess_1',
          data: { reason: 'deleted' },
        });
      });
      expect((await store.getTask('task_1'))?.timeline).toEqual([
        { id: 'evt_1', type: 'created', timestamp: at(1) },
        { id: 'evt_2', type: 'session_started', timestamp: at(5), sessionId: 'sess_1' },
        { id: 'evt_3', type: 'session_ended', timestamp: at(9), sessionId: 'sess_1', data: { reason: 'deleted' } },
      ]);
    });

    it('appends session_ended in bulk to every linked task, with time-sortable ids like every other entry', async () => {
      const earlier = newId('event');
      const startedMs = Date.now();
      await store.transaction(async (tx) => {
        await tx.insertTask(task('task_1'));
        await tx.insertTask(task('task_2'));
        await tx.insertSession(session('sess_1', 1));
        await tx.insertSession(session('sess_2', 2));
        await tx.linkTaskSession('task_1', 'sess_1', T0);
        await tx.linkTaskSession('task_2', 'sess_1', T0);
        await tx.linkTaskSession('task_1', 'sess_2', T0);
        await tx.appendSessionEnded(['sess_1', 'sess_2'], T0 + 9000, { reason: 'timed_out' });
      });
      const t1 = (await store.getTask('task_1'))?.timeline ?? [];
      const t2 = (await store.getTask('task_2'))?.timeline ?? [];
      expect(t1.map((e) => e.sessionId).sort()).toEqual(['sess_1', 'sess_2']);
      expect(t2.map((e) => e.sessionId)).toEqual(['sess_1']);
      const entries = [...t1, ...t2];
      for (const e of entries) {
        expect(e).toMatchObject({ type: 'session_ended', timestamp: at(9), data: { reason: 'timed_out' } });
        // A ULID made during the transaction, after one made before it: time-sortable, not random.
        expect(e.id).toMatch(/^evt_[0-9A-HJKMNP-TV-Z]{26}$/);
        expect(decodeTime(e.id.slice(4))).toBeGreaterThanOrEqual(startedMs);
        expect(decodeTime(e.id.slice(4))).toBeLessThanOrEqual(Date.now());
        expect(e.id > earlier).toBe(true);
      }
      expect(new Set(entries.map((e) => e.id)).size).toBe(3);
    });

    it('fences session writes by version', async () => {
      await store.transaction((tx) => tx.insertSession(session('sess_1', 1)));
      const current = (await store.getSession('sess_1')) as SessionRow;
      await store.transaction((tx) => tx.updateSession({ ...current, name: 'first', version: 2 }, 1));
      await expect(
        store.transaction((tx) => tx.updateSession({ ...current, name: 'stale', version: 2 }, 1)),
      ).rejects.toBeInstanceOf(ConflictError);
      expect(await store.getSession('sess_1')).toMatchObject({ name: 'first', version: 2 });
    });

    it('round-trips every session field', async () => {
      const full = session('sess_full', 7, {
        name: 'full',
        status: 'validating',
        phase: 'validate',
        gitContext: { branch: 'feat/x', commit: 'abc123', repoRoot: '/r', isWorktree: true, worktreeName: 'wt' },
        prdReference: { filename: 'prd.md', path: '/r/prd.md', version: '2' },
        statistics: {
          totalTasks: 5,
          completedTasks: 2,
          failedTasks: 1,
          decisionsMade: 3,
          checkpointsCreated: 4,
          errorRecoveryCount: 1,
          durationSeconds: 99,
          tokens: { input: 10, output: 20, cacheRead: 300, cacheWrite: 40 },
          model: 'claude-sonnet-4-6',
          costUsd: 0.0123,
        },
        configuration: { maxIterations: 10, timeoutMinutes: 30, autoCheckpoint: true, errorRecoveryEnabled: false },
        runtime: { kind: 'tmux', host: 'h1', tmuxSession: 'maestro-sess_full', pid: 42, exitCode: null },
        output: ['line 1', 'line 2'],
        messageCount: 12,
      });
      await store.transaction((tx) => tx.insertSession(full));
      expect(await store.getSession('sess_full')).toEqual({ ...full, taskIds: [] });
    });

    it('lists sessions with every filter, newest first', async () => {
      await store.transaction(async (tx) => {
        await tx.insertProject(project('proj_b'));
        await tx.insertTask(task('task_1'));
        await tx.insertSession(
          session('sess_1', 10, {
            gitContext: { branch: 'main', commit: null, repoRoot: null, isWorktree: false, worktreeName: null },
          }),
        );
        await tx.insertSession(session('sess_2', 20, { status: 'planning' }));
        await tx.insertSession(
          session('sess_3', 30, { projectId: 'proj_b', status: 'completed', completedAt: at(31), endReason: 'completed' }),
        );
        await tx.insertSession(session('sess_4', 40));
        await tx.linkTaskSession('task_1', 'sess_2', T0);
      });
      const ids = async (f: Partial<SessionFilter>) => (await store.listSessions(filter(f))).map((s) => s.id);
      expect(await ids({})).toEqual(['sess_4', 'sess_3', 'sess_2', 'sess_1']);
      expect(await ids({ status: 'planning' })).toEqual(['sess_2']);
      expect(await ids({ projectId: 'proj_b' })).toEqual(['sess_3']);
      expect(await ids({ taskId: 'task_1' })).toEqual(['sess_2']);
      expect(await ids({ branch: 'main' })).toEqual(['sess_1']);
      expect(await ids({ created_after: at(15), created_before: at(35) })).toEqual(['sess_3', 'sess_2']);
      expect(await ids({ active: true })).toEqual(['sess_4', 'sess_2', 'sess_1']);
      expect(await ids({ active: false })).toEqual(['sess_3']);
      expect(await ids({ recent: 2 })).toEqual(['sess_4', 'sess_3']);
      expect(await ids({ limit: 1 })).toEqual(['sess_4']);
      expect(await store.countActiveSessions()).toBe(3);
      expect(await store.countActiveSessions('proj_b')).toBe(0);
    });

    it('lists the live tmux sessions of one host for the reconciler', async () => {
      const tmux = (host: string, name: string) => ({
        kind: 'tmux' as const,
        host,
        tmuxSession: name,
        pid: null,
        exitCode: null,
      });
      await store.transaction(async (tx) => {
        await tx.insertSession(session('sess_1', 1, { runtime: tmux('here', 'maestro-sess_1') }));
        await tx.insertSession(session('sess_2', 2, { runtime: tmux('elsewhere', 'maestro-sess_2') }));
        await tx.insertSession(
          session('sess_3', 3, {
            runtime: tmux('here', 'maestro-sess_3'),
            status: 'failed',
            completedAt: at(4),
            endReason: 'lost',
          }),
        );
        await tx.insertSession(session('sess_4', 4));
      });
      expect(await store.listActiveRuntimes('here')).toEqual([
        { id: 'sess_1', tmuxSession: 'maestro-sess_1', lastActivityAt: T0 + 1000, paused: false },
      ]);
    });

    it('tells the oldest activity among live sessions only (the next inactivity deadline)', async () => {
      expect(await store.oldestActivity()).toBeUndefined();
      await store.transaction(async (tx) => {
        await tx.insertSession(session('sess_1', 5, { status: 'failed', completedAt: at(6), endReason: 'lost' }));
        await tx.insertSession(session('sess_2', 7));
        await tx.insertSession(session('sess_3', 9));
      });
      expect(await store.oldestActivity()).toBe(T0 + 7000);
    });

    it('leaves paused sessions out of inactivity, unless given a cutoff of their own (docs/design.md §Pause)', async () => {
      await store.transaction(async (tx) => {
        await tx.insertSession(session('sess_run', 5));
        await tx.insertSession(session('sess_held', 3, { status: 'paused' }));
        await tx.insertSession(session('sess_new', 20));
      });
      const cutoff = T0 + 10_000;
      const ids = async (paused?: number) =>
        (await store.transaction((tx) => tx.listInactiveSessions(cutoff, 10, paused))).map((s) => s.id);
      expect(await ids()).toEqual(['sess_run']);
      expect(await store.countInactiveSessions(cutoff)).toBe(1);
      expect(await ids(T0 + 4000)).toEqual(['sess_held', 'sess_run']);
      expect(await store.countInactiveSessions(cutoff, T0 + 4000)).toBe(2);
      expect(await ids(T0 + 3000)).toEqual(['sess_run']);
      expect(await store.oldestActivity()).toBe(T0 + 5000);
      expect(await store.oldestActivity(true)).toBe(T0 + 3000);
    });

    it('lists tasks by project and status, newest first', async () => {
      await store.transaction(async (tx) => {
        await tx.insertProject(project('proj_b'));
        await tx.insertTask(task('task_1'));
        await tx.insertTask({ ...task('task_2', 'proj_b'), createdAt: at(2) });
        await tx.insertTask({ ...task('task_3'), status: 'done', createdAt: at(3) });
      });
      expect((await store.listTasks({ limit: 10 })).map((t) => t.id)).toEqual(['task_3', 'task_2', 'task_1']);
      expect((await store.listTasks({ projectId: 'proj_a', limit: 10 })).map((t) => t.id)).toEqual(['task_3', 'task_1']);
      expect((await store.listTasks({ status: 'done', limit: 10 })).map((t) => t.id)).toEqual(['task_3']);
    });
  });
}
