import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { MaestroClient } from '../src/client/index.js';
import { Cleanup, startServer, tempDir, tmuxSocket, until } from './helpers.js';

describe('output is activity (issue #18.1), with a real clock and real tmux', () => {
  let cleanup: Cleanup;
  afterEach(() => cleanup.run());

  it('a command printing every 0.5 s outlives a 3 s inactivity timeout; a silent one is timed out', async () => {
    cleanup = new Cleanup();
    const dir = tempDir(cleanup);
    // The one test that must watch real time go by: the server's own clock, its loops and tmux's
    // activity times, all for a few seconds.
    const server = await startServer(cleanup, [
      '--port',
      '0',
      '--db',
      `${dir}/maestro.db`,
      '--tmux-socket',
      tmuxSocket(cleanup),
      '--session-timeout',
      '3',
      '--cleanup-interval',
      '1',
    ]);
    const client = new MaestroClient({ baseUrl: server.url });
    const project = await client.projects.create({ name: 'activity', repoPath: dir });
    const printer = await client.sessions.spawn({
      projectId: project.id,
      name: 'printer',
      command: ['sh', '-c', 'while true; do echo working; sleep 0.5; done'],
    });
    const silent = await client.sessions.spawn({ projectId: project.id, name: 'silent', command: ['sleep', '300'] });
    const started = Date.now();
    const timedOut = await until(async () => {
      const s = await client.sessions.get(silent.id);
      return s.endReason === 'timed_out' ? s : undefined;
    }, 15_000);
    expect(timedOut.status).toBe('failed');
    await delay(Math.max(0, 8000 - (Date.now() - started)));
    const busy = await client.sessions.get(printer.id);
    expect(busy.completedAt).toBeNull();
    expect(Date.parse(busy.lastActivityAt)).toBeGreaterThan(Date.parse(printer.lastActivityAt));
  });
});
