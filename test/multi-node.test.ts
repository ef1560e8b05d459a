import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { MaestroClient, type WebSocketConstructor } from '../src/client/index.js';
import type { MaestroEvent } from '../src/domain/index.js';
import { Cleanup, startServer, tempDir, tmuxSocket, until } from './helpers.js';

const URL = process.env.MAESTRO_TEST_PG ?? 'postgres://postgres:maestro@127.0.0.1:5432/maestro_test';

async function admin(sql: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query(sql);
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

const schema = `maestro_nodes_${process.pid}`;
const available = await admin(`CREATE SCHEMA IF NOT EXISTS ${schema}`);

describe.skipIf(!available)('two maestro serve nodes on one PostgreSQL', () => {
  const cleanup = new Cleanup();
  afterAll(async () => {
    await cleanup.run();
    await admin(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  });

  it('a client of node B receives every event written through node A and B, once and in order', async () => {
    const db = `${URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
    const dir = tempDir(cleanup);
    const a = await startServer(cleanup, ['--port', '0', '--db', db, '--tmux-socket', tmuxSocket(cleanup)]);
    const b = await startServer(cleanup, ['--port', '0', '--db', db, '--tmux-socket', tmuxSocket(cleanup)]);
    const viaA = new MaestroClient({ baseUrl: a.url });
    const viaB = new MaestroClient({ baseUrl: b.url, WebSocket: WebSocket as unknown as WebSocketConstructor });
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
});
