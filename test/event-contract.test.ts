import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { EVENT_DATA, EVENT_TYPES, type EventType } from '../src/domain/index.js';
import { Cleanup, gitRepo, testMaestro } from './helpers.js';

const TIMEOUT_SECS = 3600;
const RETENTION_SECS = 86_400;

describe('event contract: every event type is emitted with the data its schema (and the typed client) promises', () => {
  const cleanup = new Cleanup();
  afterAll(() => cleanup.run());

  it('a day of work emits every type, each matching EVENT_DATA', async () => {
    const m = await testMaestro(cleanup, {
      sessionTimeoutSecs: TIMEOUT_SECS,
      retentionSecs: RETENTION_SECS,
      maxRunningProjects: 1,
    });
    const { projects, tasks, sessions } = m.services;

    // Projects: by hand, queued and started by the scheduler (its agent in real tmux), finished three ways, deleted.
    await projects.create({ id: 'proj_hand', name: 'by hand', repoPath: m.dir });
    await projects.update('proj_hand', { description: 'made by hand' });
    await projects.create({ id: 'proj_q1', name: 'q1', repoPath: m.dir, enqueue: true, agentCommand: ['sleep', '300'] });
    expect((await m.scheduler.schedule()).started).toEqual(['proj_q1']);
    await projects.complete('proj_q1');
    await projects.create({ id: 'proj_q2', name: 'q2', repoPath: m.dir, enqueue: true });
    await projects.complete('proj_q2', { success: false, reason: 'gave up' });
    await projects.create({ id: 'proj_q3', name: 'q3', repoPath: m.dir, enqueue: true });
    await projects.setPaused(true);
    await projects.setPaused(false);
    await projects.cancel('proj_q3');

    // Tasks and sessions, with links both ways, waits for input, an end and a delete.
    const task = await tasks.create({ projectId: 'proj_hand', title: 'login page' });
    await tasks.update(task.id, { status: 'in_progress' });
    const s = await sessions.create({ projectId: 'proj_hand', taskIds: [task.id] });
    await sessions.transition(s.id, { status: 'planning' });
    await sessions.needsInput(s.id, { reason: 'question', message: 'which database?' });
    await sessions.inputGiven(s.id);
    const other = await tasks.create({ projectId: 'proj_hand', title: 'other' });
    await sessions.linkTask(s.id, other.id);
    await sessions.unlinkTask(s.id, other.id);
    await sessions.end(s.id, 'completed');
    await sessions.delete((await sessions.create({ projectId: 'proj_hand' })).id);
    await tasks.delete(other.id);

    // A live agent near its inactivity timeout is warned first (the reconcile pass of its node).
    const agent = await sessions.spawn({ projectId: 'proj_hand', command: ['sleep', '300'] });
    m.clock.advance((TIMEOUT_SECS - 60) * 1000);
    expect((await m.reconciler.reconcile()).warned).toEqual([agent.id]);
    await sessions.terminal.sendInput(agent.id, { text: 'still there?' });
    await sessions.end(agent.id, 'killed');

    // A worktree session's work kept on its branch.
    const repo = gitRepo(join(m.dir, 'repo'));
    await projects.create({ id: 'proj_git', name: 'git', repoPath: repo });
    const worker = await sessions.spawn({ projectId: 'proj_git', command: ['sleep', '300'], worktree: true });
    await sessions.finisher.finish(worker.id, { action: 'keep' });

    // Sweeps: one idle session timed out in bulk, then purged after the retention.
    await sessions.create({ projectId: 'proj_hand', taskIds: [task.id] });
    m.clock.advance((TIMEOUT_SECS + 1) * 1000);
    expect((await m.sweeper.sweep()).timedOut).toBe(1);
    m.clock.advance((RETENTION_SECS + 1) * 1000);
    expect((await m.sweeper.sweep()).purged).toBeGreaterThan(0);

    // A background loop failing, then recovering.
    const failing = vi.spyOn(sessions.expiry, 'expireInactive').mockRejectedValueOnce(new Error('disk I/O error'));
    const loopEvents = new Promise<void>((resolve) => {
      const off = m.services.store.onEvents((batch) => {
        if (batch.some((e) => e.type === 'loop:recovered')) {
          off();
          resolve();
        }
      });
    });
    m.sweeper.start();
    await vi.waitFor(() => expect(failing).toHaveBeenCalled());
    await m.sweeper.stop();
    m.sweeper.start();
    await loopEvents;
    await m.sweeper.stop();

    await projects.delete('proj_hand');

    const events = await m.services.store.listEvents(0, 100_000);
    const problems = events.flatMap((e) => {
      const parsed = EVENT_DATA[e.type].safeParse(e.data);
      return parsed.success ? [] : [{ type: e.type, seq: e.seq, issues: parsed.error.issues.slice(0, 3) }];
    });
    expect(problems).toEqual([]);
    const seen = new Set<EventType>(events.map((e) => e.type));
    expect(EVENT_TYPES.filter((t) => !seen.has(t))).toEqual([]);
  });
});
