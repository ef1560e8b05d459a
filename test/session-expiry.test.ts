import { afterEach, describe, expect, it, vi } from 'vitest';
import { newSessionRow } from '../src/core/session-records.js';
import { Cleanup, testMaestro } from './helpers.js';

const TIMEOUT_SECS = 3600;

async function setup(cleanup: Cleanup) {
  const m = await testMaestro(cleanup, { sessionTimeoutSecs: TIMEOUT_SECS, retentionSecs: 86_400 });
  await m.services.projects.create({ id: 'proj_p', name: 'p', repoPath: m.dir });
  return m;
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
    const stale = newSessionRow(
      { id: 'sess_there', projectId: 'proj_p', featureRequest: '', phase: null, prdReference: null, taskIds: [] },
      t0 - TIMEOUT_SECS * 1000 - 5000,
    );
    await m.services.store.transaction((tx) => tx.insertSession(stale));

    m.clock.set(t0 + 999);
    expect(await m.services.sessions.get('sess_there')).toMatchObject({ status: 'initializing' });
    expect(oldest).toHaveBeenCalledTimes(1); // trusted: no query
    m.clock.set(t0 + 1000);
    expect(await m.services.sessions.get('sess_there')).toMatchObject({ status: 'failed', endReason: 'timed_out' });
    expect(oldest).toHaveBeenCalledTimes(2);
    expect(await m.services.sessions.get('sess_here')).toMatchObject({ status: 'initializing' });
  });
});
