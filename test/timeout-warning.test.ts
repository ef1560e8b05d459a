import { afterEach, describe, expect, it } from 'vitest';
import type { MaestroEvent } from '../src/domain/index.js';
import { Cleanup, testMaestro } from './helpers.js';

const TIMEOUT_SECS = 600;
const WARNING_SECS = 120;

describe('before a timeout, a warning (issue #18.5)', () => {
  let cleanup: Cleanup;
  afterEach(() => cleanup.run());

  it('warns a live session once per activity time, within the warning window only, and names its deadline', async () => {
    cleanup = new Cleanup();
    const m = await testMaestro(cleanup, { sessionTimeoutSecs: TIMEOUT_SECS, sessionTimeoutWarningSecs: WARNING_SECS });
    await m.services.projects.create({ id: 'proj_warn', name: 'warn', repoPath: m.dir });
    const warnings: MaestroEvent[] = [];
    m.services.store.onEvents((batch) => warnings.push(...batch.filter((e) => e.type === 'session:timeout_warning')));
    const s = await m.services.sessions.spawn({ projectId: 'proj_warn', command: ['sleep', '300'] });
    const deadline = Date.parse(s.lastActivityAt) + TIMEOUT_SECS * 1000;

    m.clock.set(deadline - WARNING_SECS * 1000 - 1);
    expect((await m.reconciler.reconcile()).warned).toEqual([]);
    m.clock.set(deadline - WARNING_SECS * 1000);
    expect((await m.reconciler.reconcile()).warned).toEqual([s.id]);
    expect((await m.reconciler.reconcile()).warned).toEqual([]);
    expect(warnings.map((e) => e.data)).toEqual([{ id: s.id, at: new Date(deadline).toISOString() }]);

    // Activity pushes the deadline back; idle again, it is warned again before the new one.
    await m.services.sessions.touch(s.id, { messages: 0 });
    const later = m.clock.now() + TIMEOUT_SECS * 1000;
    expect((await m.reconciler.reconcile()).warned).toEqual([]);
    m.clock.set(later - WARNING_SECS * 1000 + 1000);
    expect((await m.reconciler.reconcile()).warned).toEqual([s.id]);
    expect(warnings).toHaveLength(2);
  });

  it('warns no one with SESSION_TIMEOUT_WARNING_SECS=0', async () => {
    cleanup = new Cleanup();
    const m = await testMaestro(cleanup, { sessionTimeoutSecs: TIMEOUT_SECS, sessionTimeoutWarningSecs: 0 });
    await m.services.projects.create({ id: 'proj_quiet', name: 'quiet', repoPath: m.dir });
    const s = await m.services.sessions.spawn({ projectId: 'proj_quiet', command: ['sleep', '300'] });
    m.clock.set(Date.parse(s.lastActivityAt) + TIMEOUT_SECS * 1000 - 1000);
    expect((await m.reconciler.reconcile()).warned).toEqual([]);
  });
});
