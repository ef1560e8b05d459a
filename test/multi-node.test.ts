import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { MaestroApiError, MaestroClient, type WebSocketConstructor } from '../src/client/index.js';
import type { MaestroEvent } from '../src/domain/index.js';
import { Cleanup, startServer, tempDir, tmuxSocket, until } from './helpers.js';
import { cleanUpThenDrop, pgSchemaUrl } from './pg.js';

const schema = `maestro_nodes_${process.pid}`;
const db = (await pgSchemaUrl(schema, 'the multi-node tests (dequeue atomicity, cross-node event order)')) ?? '';
const available = db !== '';

describe.skipIf(!available)('two maestro serve nodes on one PostgreSQL', () => {
  const cleanup = new Cleanup();
  afterAll(() => cleanUpThenDrop(cleanup, schema));

  let dir: string;
  let viaA: MaestroClient;
  let viaB: MaestroClient;
  let a: Awaited<ReturnType<typeof startServer>>;
  let b: Awaited<ReturnType<typeof startServer>>;

  beforeAll(async () => {
    dir = tempDir(cleanup);
    const args = ['--port', '0', '--db', db, '--leader-interval', '200', '--leader-lease', '2', '--cleanup-interval', '3600'];
    a = await startServer(cleanup, [...args, '--tmux-socket', tmuxSocket(cleanup)]);
    b = await startServer(cleanup, [...args, '--tmux-socket', tmuxSocket(cleanup)]);
    viaA = new MaestroClient({ baseUrl: a.url });
    viaB = new MaestroClient({ baseUrl: b.url, WebSocket: WebSocket as unknown as WebSocketConstructor });
  });

  it('a client of node B receives every event written through node A and B, once and in order', async () => {
    const seen: MaestroEvent[] = [];
    const stream = viaB.stream({ since: 0, onEvent: (e) => seen.push(e) });
    cleanup.add(() => stream.close());

    const project = await viaA.projects.create({ name: 'shared', repoPath: dir });
    await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? viaA : viaB).sessions.create({ projectId: project.id, name: `s${i}` })),
    );
    const expected = 11;
    await until(() => seen.length >= expected, 10_000, 'every event on node B');
    expect(seen.map((e) => e.seq)).toEqual(Array.from({ length: expected }, (_, i) => i + 1));
    expect(seen.filter((e) => e.type === 'session:created')).toHaveLength(10);
    // Both nodes answer from the same store.
    expect((await viaA.sessions.list()).sessions).toHaveLength(10);
    expect((await viaB.sessions.list()).seq).toBe(expected);
  });

  it('fences racing writes: a stale version changes nothing and answers 409; concurrent writes lose nothing', async () => {
    const project = await viaA.projects.create({ name: 'fenced', repoPath: dir });
    const s = await viaA.sessions.create({ projectId: project.id, name: 'raced' });
    const seenByB = await viaB.sessions.get(s.id);
    await viaA.sessions.update(s.id, { name: 'A wins', version: s.version });
    const stale = await viaB.sessions.update(s.id, { name: 'B is late', version: seenByB.version }).catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(MaestroApiError);
    expect(stale).toMatchObject({ status: 409, code: 'conflict', details: { expectedVersion: 1, version: 2 } });
    expect((await viaB.sessions.get(s.id)).name).toBe('A wins');

    // Without versions, both nodes touch at once: each touch either lands or is refused, none is lost.
    const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => (i % 2 ? viaA : viaB).sessions.touch(s.id)));
    const landed = results.filter((r) => r.status === 'fulfilled').length;
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ status: 409 });
    // Each node runs one write transaction at a time, so a refused touch was beaten by a landed
    // one of the other node, and each landed touch beats at most the one in flight there: at
    // least half land. (A node that refused everything, or lost writes, fails here.)
    expect(landed).toBeGreaterThanOrEqual(results.length / 2);
    expect((await viaA.sessions.get(s.id)).messageCount).toBe(1 + landed);
  });

  it('concurrent dequeues from three processes never start a project twice', async () => {
    const ids = Array.from({ length: 30 }, (_, i) => `proj_q${String(i).padStart(2, '0')}`);
    await viaA.queue.pause(); // keep the nodes' own schedulers out of it
    for (const id of ids) await viaA.projects.create({ id, name: id, repoPath: dir, enqueue: true });
    const worker = fileURLToPath(new URL('fixtures/dequeue-worker.ts', import.meta.url));
    const runs = await Promise.all([1, 2, 3].map(() => execa(process.execPath, ['--import', 'tsx', worker, db])));
    const taken = runs.flatMap((r) => r.stdout.split('\n').filter(Boolean));
    expect(taken.sort()).toEqual(ids);
  });

  it('exactly one node leads; when it dies the other takes over and sweeps', async () => {
    const leaders = async () => Promise.all([viaA.health(), viaB.health()].map((h) => h.then((x) => x.leader)));
    await until(async () => (await leaders()).filter(Boolean).length === 1, 10_000, 'one leader');
    const [aLeads] = await leaders();
    const [leader, follower, followerClient] = aLeads ? [a, b, viaB] : [b, a, viaA];
    expect((await followerClient.health()).lastSweep).toBeNull(); // a follower never sweeps
    leader.child.kill('SIGKILL');
    await leader.exited;
    await until(async () => (await followerClient.health()).leader, 10_000, 'the follower to take over');
    await until(async () => (await followerClient.health()).lastSweep !== null, 10_000, 'the new leader to sweep');
    expect(follower.child.exitCode).toBeNull();
  });
});
