import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { Cleanup, sessionRow, testMaestro, tmuxRuntime } from './helpers.js';

describe('nodes that stop heartbeating', () => {
  let cleanup: Cleanup;
  afterEach(() => cleanup.run());

  it('shows their live sessions unreachable, not dead, until the lost timeout ends them as lost', async () => {
    cleanup = new Cleanup();
    const logs: { msg: string; sessionId?: string }[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => logs.push(JSON.parse(line)) });
    const m = await testMaestro(cleanup, { nodeTimeoutSecs: 30, nodeLostSecs: 300 }, { log });
    const logged = (msg: string) => logs.filter((l) => l.msg === msg);
    await m.services.projects.create({ id: 'proj_n', name: 'n', repoPath: m.dir });
    const remote = sessionRow('sess_remote', 'proj_n', m.clock.now(), {
      runtime: { ...tmuxRuntime('sess_remote', 'other-machine'), pid: 42 },
    });
    await m.services.store.transaction(async (tx) => {
      await tx.insertSession(remote);
      await tx.heartbeat('other-machine', m.clock.now());
    });
    const local = await m.services.sessions.create({ projectId: 'proj_n' });
    const read = () => m.services.sessions.get('sess_remote');

    expect((await read()).runtime.unreachable).toBeUndefined();
    m.clock.advance(30_001);
    expect(await read()).toMatchObject({ status: 'initializing', completedAt: null, runtime: { unreachable: true } });
    const listed = (await m.services.sessions.list({ active: true })).sessions;
    expect(listed.find((s) => s.id === 'sess_remote')?.runtime.unreachable).toBe(true);
    expect(listed.find((s) => s.id === local.id)?.runtime.unreachable).toBeUndefined();
    expect((await m.sweeper.sweep()).lostNodeSessions).toEqual([]);

    // The node comes back: reachable again.
    await m.services.store.transaction((tx) => tx.heartbeat('other-machine', m.clock.now()));
    expect((await read()).runtime.unreachable).toBeUndefined();

    m.clock.advance(300_001);
    const report = await m.sweeper.sweep();
    expect(report.lostNodeSessions).toEqual(['sess_remote']);
    expect(await read()).toMatchObject({ status: 'failed', endReason: 'lost' });
    // Its tmux session is the other machine's: this node neither kills nor looks for it.
    expect(logged('runtime killed').filter((l) => l.sessionId === 'sess_remote')).toEqual([]);
    expect(logged('runtime kill failed; the reconciler will retry')).toEqual([]);
    expect((await m.services.sessions.get(local.id)).completedAt).toBeNull();
  });
});
