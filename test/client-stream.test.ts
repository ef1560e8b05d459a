import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { MaestroClient, type StreamStatus, type WebSocketConstructor } from '../src/client/index.js';
import type { MaestroEvent } from '../src/domain/index.js';
import { Cleanup, startServer, tempDir, tmuxSocket, until } from './helpers.js';

/** A free TCP port on 127.0.0.1, so a restarted server comes back at the same address. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

describe('typed client event stream', () => {
  const cleanup = new Cleanup();
  afterAll(() => cleanup.run());

  it('resumes across a server restart: every event once, in order', async () => {
    const dir = tempDir(cleanup);
    const args = ['--port', String(await freePort()), '--db', join(dir, 'maestro.db'), '--tmux-socket', tmuxSocket(cleanup)];
    const first = await startServer(cleanup, args);
    const client = new MaestroClient({ baseUrl: first.url, WebSocket: WebSocket as unknown as WebSocketConstructor });
    const seen: MaestroEvent[] = [];
    const statuses: StreamStatus[] = [];
    const stream = client.stream({ since: 0, onEvent: (e) => seen.push(e), onStatus: (s) => statuses.push(s), backoffMs: [100] });
    cleanup.add(() => stream.close());

    const project = await client.projects.create({ name: 'p', repoPath: dir });
    await client.sessions.create({ projectId: project.id, name: 'before' });
    await until(() => seen.length === 2, 5000, 'events before the restart');

    first.child.kill('SIGTERM');
    await first.exited;
    await until(() => statuses.at(-1) === 'reconnecting', 5000, 'the stream to notice');
    const second = await startServer(cleanup, args);
    await until(() => statuses.at(-1) === 'live', 10_000, 'the stream to come back');
    await client.sessions.create({ projectId: project.id, name: 'after' });
    await until(() => seen.length === 3, 5000, 'the event after the restart');

    expect(seen.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(seen.map((e) => e.type)).toEqual(['project:created', 'session:created', 'session:created']);
    expect(stream.seq).toBe(3);
    second.child.kill('SIGTERM');
    await second.exited;
  });
});
