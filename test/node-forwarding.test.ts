import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { MaestroApiError, MaestroClient } from '../src/client/index.js';
import { fakeAgent } from './fake-agent.js';
import {
  BIN,
  Cleanup,
  git,
  gitRepo,
  sessionRow,
  startServer,
  tempDir,
  testMaestro,
  tmuxRuntime,
  tmuxSocket,
  until,
} from './helpers.js';
import { pgAdmin as admin, cleanUpThenDrop, pgSchemaUrl } from './pg.js';

/** The error a call rejects with (fails the test when it resolves). */
const failure = (call: Promise<unknown>): Promise<MaestroApiError> =>
  call.then(
    (value) => {
      throw new Error(`expected a refusal, got ${JSON.stringify(value)}`);
    },
    (err: unknown) => err as MaestroApiError,
  );

/** Listens on a free loopback port; resolves to its URL, the server closed by `cleanup`. */
async function listening(server: Server, cleanup: Cleanup): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup.add(() => new Promise((resolve) => server.close(resolve)));
  const { port } = server.address() as { port: number };
  return `http://127.0.0.1:${port}`;
}

/** What the fake session node received: method, path with query, headers and body. */
interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: unknown;
}

describe('forwarding to the session’s node, against a stand-in node (node-forwarding.ts, http-relay.ts)', () => {
  const cleanup = new Cleanup();
  afterAll(() => cleanup.run());
  const TOKEN = 'relay-token';
  const auth = { authorization: `Bearer ${TOKEN}` };
  let b: Awaited<ReturnType<typeof testMaestro>>;
  let upstream: string;
  let bUrl: string;
  /** Requests of the followed transcript the stand-in saw close. */
  const closed: string[] = [];

  beforeAll(async () => {
    // The stand-in for node-a: echoes what it received, or streams a transcript that never ends.
    const server = createHttpServer((req, res) => {
      if (req.url?.includes('/log')) {
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
        res.write('first line\n');
        res.once('close', () => closed.push(req.url ?? ''));
        return;
      }
      let body = '';
      req.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      req.on('end', () => {
        res.writeHead(201, { 'content-type': 'application/json; charset=utf-8', 'x-stand-in': 'node-a' });
        const received: Received = {
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          body: body ? JSON.parse(body) : null,
        };
        res.end(JSON.stringify(received));
      });
    });
    upstream = await listening(server, cleanup);
    b = await testMaestro(cleanup, { token: TOKEN, nodeName: 'node-b' });
    await b.services.projects.create({ id: 'proj_relay', name: 'relay', repoPath: b.dir });
    bUrl = await b.listen();
  });

  /** A live session of node `host`, which heartbeats now and says it answers at `url` (null: says nothing). */
  async function onNode(id: string, url: string | null, host = 'node-a'): Promise<void> {
    const row = sessionRow(id, 'proj_relay', b.clock.now(), { runtime: tmuxRuntime(id, host) });
    await b.services.store.transaction(async (tx) => {
      await tx.insertSession(row);
      await tx.heartbeat(host, b.clock.now(), url ?? undefined);
    });
  }

  it('sends the method, path, query, the body as sent and the caller’s Authorization, marked; relays status, type and body', async () => {
    await onNode('sess_relay', upstream);
    const input = await b.app.inject({
      method: 'POST',
      url: '/api/sessions/sess_relay/input',
      headers: auth,
      payload: { text: 'hi' },
    });
    expect(input.statusCode).toBe(201);
    expect(input.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(input.headers['x-stand-in']).toBeUndefined(); // only status, type and body are relayed
    const received = input.json() as Received;
    expect(received).toMatchObject({ method: 'POST', url: '/api/sessions/sess_relay/input', body: { text: 'hi' } });
    // The body as the caller sent it, not as validated (which adds `submit: true`).
    expect(received.body).toEqual({ text: 'hi' });
    expect(received.headers).toMatchObject({
      authorization: `Bearer ${TOKEN}`,
      'x-maestro-forwarded-by': 'node-b',
      'accept-encoding': 'identity',
      'content-type': 'application/json',
    });
    const output = await b.app.inject({ url: '/api/sessions/sess_relay/output?lines=7', headers: auth });
    expect(output.json()).toMatchObject({ method: 'GET', url: '/api/sessions/sess_relay/output?lines=7', body: null });
    // Refused before anything is forwarded: the access checks come first.
    expect((await b.app.inject({ url: '/api/sessions/sess_relay/output' })).statusCode).toBe(401);
    // Validated before: a bad body never leaves this node.
    const bad = await b.app.inject({ method: 'POST', url: '/api/sessions/sess_relay/input', headers: auth, payload: { x: 1 } });
    expect(bad.statusCode).toBe(400);
  });

  it('`maestro session attach` through the wrong node names the node to attach on', async () => {
    await onNode('sess_attach', upstream);
    const run = await execa(process.execPath, [BIN, '--url', bUrl, '--token', TOKEN, 'session', 'attach', 'sess_attach'], {
      reject: false,
    });
    expect(run.exitCode).not.toBe(0);
    expect(run.stderr).toContain('session sess_attach runs on node node-a, not on node-b');
  });

  it('aborts the request upstream when the client of a followed transcript goes away', async () => {
    await onNode('sess_follow', upstream);
    const abort = new AbortController();
    const res = await fetch(`${bUrl}/api/sessions/sess_follow/log?follow=true`, { headers: auth, signal: abort.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('first line\n');
    abort.abort();
    await until(() => closed.includes('/api/sessions/sess_follow/log?follow=true'), 5000, 'the stand-in to see the request end');
  });

  it('refuses with 409 wrong_node when the node is unknown, refuses connections or does not answer; still ends and deletes', async () => {
    // Never said where it answers.
    await onNode('sess_nowhere', null, 'node-silent');
    const nowhere = await b.app.inject({ url: '/api/sessions/sess_nowhere/output', headers: auth });
    expect(nowhere.statusCode).toBe(409);
    expect(nowhere.json()).toMatchObject({
      code: 'wrong_node',
      details: { node: 'node-silent', url: null, reason: 'address_unknown' },
    });

    // So does a terminal, before the upgrade.
    const status = await new Promise<number | undefined>((resolve) => {
      const ws = new WebSocket(`${bUrl.replace('http', 'ws')}/api/sessions/sess_nowhere/terminal`, { headers: auth });
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode));
      ws.once('open', () => {
        ws.terminate();
        resolve(101);
      });
    });
    expect(status).toBe(409);

    // A closed port: refused at once.
    const closedPort = createTcpServer();
    const gone = await listening(closedPort, new Cleanup());
    await new Promise((resolve) => closedPort.close(resolve));
    await onNode('sess_refused', gone);
    const refused = await b.app.inject({ url: '/api/sessions/sess_refused/output', headers: auth });
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ code: 'wrong_node', details: { node: 'node-a', url: gone, reason: 'unreachable' } });
    expect(refused.json().message).toContain(`runs on node node-a (${gone})`);
    expect(refused.json().message).toContain('ECONNREFUSED');
    // Ending and deleting are how a dead node's sessions are cleaned up: served here, no output to keep.
    const ended = await b.app.inject({ method: 'POST', url: '/api/sessions/sess_refused/end', headers: auth });
    expect(ended.statusCode).toBe(200);
    expect(ended.json()).toMatchObject({ endReason: 'stopped', output: [] });
    await onNode('sess_deleted', gone);
    expect((await b.app.inject({ method: 'DELETE', url: '/api/sessions/sess_deleted', headers: auth })).statusCode).toBe(204);

    // Frozen: it accepts connections (the kernel does) and answers nothing.
    const sockets: Socket[] = [];
    const frozen = createTcpServer((socket) => sockets.push(socket));
    const frozenUrl = await listening(frozen, cleanup);
    cleanup.add(() => {
      for (const socket of sockets) socket.destroy();
    });
    await onNode('sess_frozen', frozenUrl);
    const started = Date.now();
    const silent = await b.app.inject({ url: '/api/sessions/sess_frozen/output', headers: auth });
    expect(Date.now() - started).toBeGreaterThanOrEqual(4900);
    expect(silent.statusCode).toBe(409);
    expect(silent.json()).toMatchObject({ code: 'wrong_node', details: { url: frozenUrl, reason: 'no_answer' } });
    expect(silent.json().message).toContain('did not answer within 5 s');
  });
});

const schema = `maestro_fwd_${process.pid}`;
const db = (await pgSchemaUrl(schema, 'the forwarding tests (two maestro serve nodes)')) ?? '';

describe.skipIf(db === '')('two maestro serve nodes: every request about a session is served by its node (issue #27.6)', () => {
  const cleanup = new Cleanup();
  afterAll(() => cleanUpThenDrop(cleanup, schema));
  const TOKEN = 'forwarding-token';
  let a: Awaited<ReturnType<typeof startServer>>;
  let b: Awaited<ReturnType<typeof startServer>>;
  let socketA: string;
  let viaA: MaestroClient;
  let viaB: MaestroClient;
  let repo: string;
  let projectId: string;

  beforeAll(async () => {
    const dir = tempDir(cleanup);
    repo = gitRepo(join(dir, 'repo'), { 'README.md': 'hello\n' });
    // Each node its own name, tmux socket and transcripts: what one reads of the other's sessions
    // can only have come from the other.
    const node = (name: string, socket: string) =>
      startServer(cleanup, [
        '--port',
        '0',
        '--db',
        db,
        '--token',
        TOKEN,
        '--node-name',
        name,
        '--tmux-socket',
        socket,
        '--log-dir',
        join(dir, `logs-${name}`),
        '--cleanup-interval',
        '3600',
        '--node-timeout',
        '30',
        '--node-lost',
        '3600',
      ]);
    socketA = tmuxSocket(cleanup);
    a = await node('node-a', socketA);
    b = await node('node-b', tmuxSocket(cleanup));
    viaA = new MaestroClient({ baseUrl: a.url, token: TOKEN });
    viaB = new MaestroClient({ baseUrl: b.url, token: TOKEN });
    projectId = (await viaA.projects.create({ name: 'forwarded', repoPath: repo })).id;
  });

  it("answers output, transcript, input, diff, end and finish through node B with node A's session", async () => {
    const s = await viaA.sessions.spawn({
      projectId,
      worktree: true,
      command: [
        'sh',
        '-c',
        'echo agent-line-one; echo agent-line-two; echo made > made-by-agent.txt; while IFS= read -r l; do echo "heard:$l"; done',
      ],
    });
    expect(s.runtime.host).toBe('node-a');

    // A's real lines, not B's empty tmux (which would read {live: true, lines: []}).
    const output = await until(
      async () => {
        const o = await viaB.sessions.output(s.id);
        return o.lines.some((l) => l.includes('agent-line-two')) ? o : undefined;
      },
      10_000,
      "A's output through B",
    );
    expect(output.live).toBe(true);
    expect(output.lines.join('\n')).toContain('agent-line-one');

    const transcript = await new Response(await viaB.sessions.log(s.id)).text();
    expect(transcript).toContain('agent-line-one');

    await viaB.sessions.sendInput(s.id, { text: 'through-b' });
    await until(
      async () => (await viaA.sessions.output(s.id)).lines.some((l) => l.includes('heard:through-b')),
      10_000,
      'the input typed through B on A',
    );

    const diff = await viaB.sessions.diff(s.id);
    expect(diff.files.map((f) => f.path)).toContain('made-by-agent.txt');

    // Forwarded once already, to a node that does not run it: refused, not forwarded again.
    const twice = await fetch(`${b.url}/api/sessions/${s.id}/output`, {
      headers: { authorization: `Bearer ${TOKEN}`, 'x-maestro-forwarded-by': 'node-c' },
    });
    expect(twice.status).toBe(409);
    expect(await twice.json()).toMatchObject({
      code: 'wrong_node',
      details: { node: 'node-a', url: a.url, thisNode: 'node-b', reason: 'forwarded', forwardedBy: 'node-c' },
    });

    // Followed through B: what A's session prints flows through as it prints it, until it ends.
    const follow = await viaB.sessions.log(s.id, { follow: true });
    let followed = '';
    const reading = (async () => {
      const decoder = new TextDecoder();
      const reader = follow.getReader();
      for (let next = await reader.read(); !next.done; next = await reader.read())
        followed += decoder.decode(next.value, { stream: true });
    })();
    await viaB.sessions.sendInput(s.id, { text: 'followed' });
    await until(() => followed.includes('heard:followed'), 10_000, 'the followed transcript through B');

    // Ended through B: A captured its last output before killing its tmux session.
    const ended = await viaB.sessions.end(s.id);
    await reading; // the follow ends with the session
    expect(ended.endReason).toBe('stopped');
    const kept = await viaB.sessions.output(s.id);
    expect(kept.live).toBe(false);
    expect(kept.lines.join('\n')).toContain('agent-line-one');
    expect(kept.lines.join('\n')).toContain('heard:through-b');
    const tmuxHas = await execa('tmux', ['-L', socketA, 'has-session', '-t', `=${s.runtime.tmuxSession}`], { reject: false });
    expect(tmuxHas.exitCode).not.toBe(0);

    // Its worktree is on A: merged there, through B.
    const finished = await viaB.sessions.finish(s.id, { action: 'merge', message: 'made by the agent' });
    expect(finished).toMatchObject({ id: s.id, action: 'merge' });
    expect(git(repo, 'show', 'HEAD:made-by-agent.txt')).toBe('made');
  });

  it("reads the question on A's screen and answers it, through B", async () => {
    const s = await viaA.sessions.spawn({ projectId, agent: 'claude', command: fakeAgent('claude', 'permission', 'key') });
    const prompt = await until(
      async () => {
        const p = await viaB.sessions.prompt(s.id);
        return p.state === 'waiting' ? p : undefined;
      },
      10_000,
      "A's prompt through B",
    );
    expect(prompt.waitingFor?.choices?.[0]).toBe('Yes');
    await viaB.sessions.answer(s.id, { choice: 2 });
    await until(
      async () => (await viaB.sessions.output(s.id)).lines.some((l) => l.includes('answered:[2]')),
      10_000,
      'the answer typed on A',
    );
    await viaB.sessions.delete(s.id);
    await expect(viaA.sessions.get(s.id)).rejects.toMatchObject({ status: 404 });
  });

  it('with A gone, refuses what needs A with 409 wrong_node naming it, and still ends and deletes its sessions', async () => {
    const spawn = () => viaA.sessions.spawn({ projectId, command: ['sh', '-c', 'echo still-here; exec sleep 600'] });
    const [kept, ending, deleted] = [await spawn(), await spawn(), await spawn()];
    await until(
      async () => (await viaA.sessions.output(kept.id)).lines.some((l) => l.includes('still-here')),
      10_000,
      'the sessions to run',
    );
    a.child.kill('SIGKILL');
    await a.exited;
    // A's heartbeat stays fresh (as while it is cut off but not yet timed out): B tries it, and is refused.
    const heartbeat = (atMs: number) => admin(`UPDATE ${schema}.nodes SET heartbeat_at = ${atMs} WHERE host = 'node-a'`);
    expect(await heartbeat(Date.now())).toBe(true);
    const refused = await failure(viaB.sessions.output(kept.id));
    expect(refused).toBeInstanceOf(MaestroApiError);
    expect(refused).toMatchObject({
      status: 409,
      code: 'wrong_node',
      details: { sessionId: kept.id, node: 'node-a', url: a.url, reason: 'unreachable' },
    });
    expect(refused.message).toContain(`runs on node node-a (${a.url})`);
    await expect(viaB.sessions.log(kept.id)).rejects.toMatchObject({ code: 'wrong_node' });
    await expect(viaB.sessions.diff(kept.id)).rejects.toMatchObject({ code: 'wrong_node' });
    await expect(viaB.sessions.sendInput(kept.id, { text: 'lost' })).rejects.toMatchObject({ code: 'wrong_node' });

    // Silent past MAESTRO_NODE_TIMEOUT_SECS: down, not even tried.
    expect(await heartbeat(Date.now() - 60_000)).toBe(true);
    expect(await failure(viaB.sessions.output(kept.id))).toMatchObject({
      status: 409,
      code: 'wrong_node',
      details: { node: 'node-a', url: a.url, reason: 'node_down' },
    });

    // How a dead node's sessions are cleaned up: through any node.
    expect(await viaB.sessions.end(ending.id)).toMatchObject({ endReason: 'stopped', output: [] });
    await viaB.sessions.delete(deleted.id);
    await expect(viaB.sessions.get(deleted.id)).rejects.toMatchObject({ status: 404 });
    expect((await viaB.sessions.get(kept.id)).completedAt).toBeNull();
  });
});
