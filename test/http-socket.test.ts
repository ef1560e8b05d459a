import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { MaestroApiError, MaestroClient, type WebSocketConstructor } from '../src/client/index.js';
import type { MaestroEvent } from '../src/domain/index.js';
import { Cleanup, testMaestro, until } from './helpers.js';

type Message = MaestroEvent | { type: 'ready'; seq: number } | { type: 'resync'; [k: string]: unknown };

/** A real WebSocket client collecting every message it receives. */
function watch(cleanup: Cleanup, url: string) {
  const messages: Message[] = [];
  let closeCode: number | undefined;
  const socket = new WebSocket(url);
  socket.on('message', (data) => messages.push(JSON.parse(String(data))));
  socket.on('close', (code) => {
    closeCode = code;
  });
  cleanup.add(() => socket.terminate());
  const events = () => messages.filter((m): m is MaestroEvent => 'seq' in m && m.type !== 'ready');
  return {
    messages,
    events,
    closeCode: () => closeCode,
    ready: () => until(() => messages.find((m) => m.type === 'ready'), 5000, 'ready'),
    close: () => socket.close(),
  };
}

describe('HTTP and WebSocket over a real socket', () => {
  let cleanup: Cleanup;
  let url: string;
  let client: MaestroClient;
  let m: Awaited<ReturnType<typeof testMaestro>>;

  beforeEach(async () => {
    cleanup = new Cleanup();
    m = await testMaestro(cleanup);
    url = await m.listen();
    client = new MaestroClient({ baseUrl: url, WebSocket: WebSocket as unknown as WebSocketConstructor });
  });
  afterEach(() => cleanup.run());

  it('binds 127.0.0.1 and serves the typed client', async () => {
    expect(new URL(url).hostname).toBe('127.0.0.1');
    const project = await client.projects.create({ name: 'p', repoPath: m.dir });
    const session = await client.sessions.create({ projectId: project.id });
    expect((await client.sessions.get(session.id)).id).toBe(session.id);
    const err = await client.sessions.get('sess_missing').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MaestroApiError);
    expect(err).toMatchObject({ status: 404, code: 'not_found' });
  });

  it('delivers every event to a WebSocket client, in order, with its sequence number', async () => {
    const ws = watch(cleanup, `${url.replace('http', 'ws')}/api/events`);
    await ws.ready();
    const project = await client.projects.create({ name: 'p', repoPath: m.dir });
    const task = await client.tasks.create({ projectId: project.id, title: 't' });
    const session = await client.sessions.create({ projectId: project.id, taskId: task.id });
    await client.sessions.transition(session.id, { status: 'planning' });
    await client.sessions.touch(session.id);
    await client.sessions.delete(session.id);
    const expected = await m.services.store.listEvents(0, 1000);
    await until(() => ws.events().length === expected.length, 5000, 'all events');
    expect(ws.events()).toEqual(expected);
    expect(ws.events().map((e) => e.type)).toEqual([
      'project:created',
      'task:created',
      'session:created',
      'session:task_added',
      'task:session_added',
      // A live session on a todo task starts it (docs/design.md §Task status).
      'task:updated',
      'session:updated',
      'session:updated',
      'session:task_removed',
      'task:session_removed',
      'session:deleted',
    ]);
    const seqs = ws.events().map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  });

  it('resumes from since=<seq>: every later event in order, none before, then live ones', async () => {
    const project = await client.projects.create({ name: 'p', repoPath: m.dir });
    const s1 = await client.sessions.create({ projectId: project.id });
    const cursor = await m.services.store.lastSeq();
    // Missed while disconnected:
    await client.sessions.transition(s1.id, { status: 'planning' });
    const s2 = await client.sessions.create({ projectId: project.id });
    await client.sessions.delete(s2.id);

    const ws = watch(cleanup, `${url.replace('http', 'ws')}/api/events?since=${cursor}`);
    const ready = await ws.ready();
    const missed = await m.services.store.listEvents(cursor, 1000);
    expect(ws.events()).toEqual(missed);
    expect(ready).toEqual({ type: 'ready', seq: missed.at(-1)?.seq });
    await client.sessions.touch(s1.id);
    await until(() => ws.events().length === missed.length + 1, 5000, 'live event');
    expect(ws.events().at(-1)).toMatchObject({ type: 'session:updated', seq: (missed.at(-1)?.seq ?? 0) + 1 });
  });

  it('answers a cursor ahead of the log with resync and close code 4410', async () => {
    const ws = watch(cleanup, `${url.replace('http', 'ws')}/api/events?since=999`);
    await until(() => ws.closeCode() !== undefined, 5000, 'close');
    expect(ws.messages[0]).toMatchObject({ type: 'resync', since: 999, lastSeq: 0 });
    expect(ws.closeCode()).toBe(4410);
  });

  it('caps what a client may send at 64 KiB a message: a larger one closes the socket with 1009', async () => {
    const socket = new WebSocket(`${url.replace('http', 'ws')}/api/events`);
    cleanup.add(() => socket.terminate());
    const messages: string[] = [];
    let closeCode: number | undefined;
    socket.on('message', (data) => messages.push(String(data)));
    socket.on('close', (code) => {
      closeCode = code;
    });
    await until(() => messages.length > 0, 5000, 'ready');
    // Exactly the cap is accepted (and ignored): the stream goes on.
    socket.send(Buffer.alloc(64 * 1024, 'a'));
    await client.projects.create({ name: 'p', repoPath: m.dir });
    await until(() => messages.length > 1, 5000, 'a live event after the 64 KiB message');
    expect(closeCode).toBeUndefined();
    socket.send(Buffer.alloc(64 * 1024 + 1, 'a'));
    await until(() => closeCode !== undefined, 5000, 'close');
    expect(closeCode).toBe(1009); // message too big
  });

  it('refuses a malformed cursor before upgrading', async () => {
    const res = await fetch(`${url}/api/events?since=abc`);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'validation_failed', details: { issues: [{ path: 'query.since' }] } });
  });

  it('the client watch() resumes with since and reports ready', async () => {
    const project = await client.projects.create({ name: 'p', repoPath: m.dir });
    const seen: MaestroEvent[] = [];
    let readySeq = -1;
    const handle = client.watch(0, { onEvent: (e) => seen.push(e), onReady: (seq) => (readySeq = seq) });
    cleanup.add(() => handle.close());
    await until(() => readySeq >= 0, 5000, 'ready');
    expect(seen.map((e) => e.type)).toEqual(['project:created']);
    await client.sessions.create({ projectId: project.id });
    await until(() => seen.length === 2, 5000, 'live event');
    expect(seen[1]?.type).toBe('session:created');
  });
});
