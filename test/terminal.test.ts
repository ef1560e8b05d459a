import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { issueSessionToken } from '../src/core/sessions/session-tokens.js';
import type { Session } from '../src/domain/index.js';
import { Cleanup, testMaestro, until } from './helpers.js';
import { pgAdmin, pgSchemaUrl } from './pg.js';

/** A viewer of a session's browser terminal, over a real socket: what it was sent, and how it closed. */
interface Viewer {
  ws: WebSocket;
  /** Everything drawn so far, as text (escape sequences included). */
  screen(): string;
  closed: Promise<{ code: number; reason: string }>;
  send(message: object): void;
}

function connect(url: string, options: WebSocket.ClientOptions = {}): Promise<Viewer> {
  const ws = new WebSocket(url, options);
  let drawn = '';
  ws.on('message', (data) => {
    drawn += data.toString();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  return new Promise((resolve, reject) => {
    ws.on('open', () => resolve({ ws, screen: () => drawn, closed, send: (m) => ws.send(JSON.stringify(m)) }));
    ws.on('unexpected-response', (_req, res) =>
      reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode })),
    );
    ws.on('error', reject);
  });
}

describe('the browser terminal (issue #19.3): WebSocket to tmux attach in a PTY, real tmux', () => {
  const cleanup = new Cleanup();
  let m: Awaited<ReturnType<typeof testMaestro>>;
  let base: string;
  beforeAll(async () => {
    m = await testMaestro(cleanup);
    await m.services.projects.create({ id: 'proj_term', name: 'term', repoPath: m.dir });
    base = (await m.listen()).replace('http', 'ws');
  });
  afterAll(() => cleanup.run());

  const spawn = (script: string) => m.services.sessions.spawn({ projectId: 'proj_term', command: ['sh', '-c', script] });
  const open = async (s: Session, query = '', options: WebSocket.ClientOptions = {}) => {
    const viewer = await connect(`${base}/api/sessions/${s.id}/terminal?cols=80&rows=24${query}`, options);
    cleanup.add(() => viewer.ws.terminate());
    return viewer;
  };
  const tmux = (...args: string[]) => execa('tmux', ['-L', m.config.tmuxSocket, ...args]);

  it('draws the current screen on connect, then live output; what is typed reaches the agent', async () => {
    const s = await spawn('echo "before you came"; read x; echo "got:$x"; exec sleep 60');
    await until(async () => (await m.services.sessions.output(s.id, 10)).lines.includes('before you came'), 5000);
    const viewer = await open(s);
    await until(() => viewer.screen().includes('before you came'), 5000, 'the screen drawn on connect');
    viewer.send({ type: 'input', data: 'hello #{pane_id};\r' });
    // Literal: tmux neither expanded the format nor read the `;` as a command separator.
    await until(() => viewer.screen().includes('got:hello #{pane_id};'), 5000, 'the echo of what was typed');
  });

  it('lets several viewers watch at once, read-only ones never typing, and follows a resize', async () => {
    const s = await spawn('while read line; do echo "heard:$line"; done');
    const watcher = await open(s, '&readOnly=1');
    const typist = await open(s);
    watcher.send({ type: 'input', data: 'from-the-watcher\r' });
    typist.send({ type: 'input', data: 'from-the-typist\r' });
    for (const viewer of [watcher, typist])
      await until(() => viewer.screen().includes('heard:from-the-typist'), 5000, 'both viewers see the output');
    const transcript = (await m.app.inject({ url: `/api/sessions/${s.id}/log` })).body;
    expect(transcript).toContain('heard:from-the-typist');
    expect(transcript).not.toContain('from-the-watcher');

    typist.send({ type: 'resize', cols: 100, rows: 30 });
    const size = async () =>
      (await tmux('display-message', '-p', '-t', `=maestro-${s.id}:`, '#{window_width}x#{window_height}')).stdout.trim();
    // One row of the client is tmux's status line.
    await until(async () => (await size()) === '100x29', 5000, 'the window at the typist’s size').catch(async (err) => {
      throw new Error(`${err.message}: ${await size()}`);
    });
  });

  it('closes with 1000 when the session ends, and refuses a bad message with 4400', async () => {
    const s = await spawn('read x; exit 0');
    const viewer = await open(s);
    viewer.send({ type: 'input', data: 'bye\r' });
    expect((await viewer.closed).code).toBe(1000);

    const other = await spawn('exec sleep 60');
    const bad = await open(other);
    bad.send({ type: 'run', command: 'rm -rf /' });
    expect(await bad.closed).toMatchObject({ code: 4400, reason: expect.stringContaining('expected') });
  });

  it('answers before the upgrade, like any route: 404, 400 without a runtime, 409 once ended, 426 without Upgrade', async () => {
    const status = (id: string, query = '') =>
      connect(`${base}/api/sessions/${id}/terminal${query}`).then(
        () => 101,
        (err: { status?: number }) => err.status,
      );
    expect(await status('sess_nope')).toBe(404);
    const record = await m.services.sessions.create({ projectId: 'proj_term' });
    expect(await status(record.id)).toBe(400);
    const ended = await spawn('exec sleep 60');
    await m.services.sessions.end(ended.id, 'killed');
    expect(await status(ended.id)).toBe(409);
    const live = await spawn('exec sleep 60');
    expect(await status(live.id, '?cols=9999')).toBe(400);
    const plain = await m.app.inject({ url: `/api/sessions/${live.id}/terminal` });
    expect(plain.statusCode).toBe(426);
  });
});

describe('the browser terminal behind a token and the host/origin checks', () => {
  const cleanup = new Cleanup();
  afterAll(() => cleanup.run());

  it('asks the token (?token= on the upgrade), the server’s own Host, and no foreign Origin', async () => {
    const m = await testMaestro(cleanup, { token: 'sekrit-token' });
    await m.services.projects.create({ id: 'proj_tok', name: 'tok', repoPath: m.dir });
    const base = (await m.listen()).replace('http', 'ws');
    const s = await m.services.sessions.spawn({ projectId: 'proj_tok', command: ['sh', '-c', 'exec sleep 60'] });
    const at = (query: string, options: WebSocket.ClientOptions = {}) =>
      connect(`${base}/api/sessions/${s.id}/terminal${query}`, options).then(
        (v) => {
          v.ws.terminate();
          return 101;
        },
        (err: { status?: number }) => err.status,
      );
    expect(await at('')).toBe(401);
    expect(await at('?token=wrong')).toBe(401);
    expect(await at('?token=sekrit-token')).toBe(101);
    // A session's own token reports on its session; it never opens a terminal, its own included.
    expect(await at(`?token=${issueSessionToken('sekrit-token', s.id)}`)).toBe(403);
    expect(await at('?token=sekrit-token', { headers: { origin: 'https://evil.example' } })).toBe(403);
    expect(await at('?token=sekrit-token', { headers: { host: 'evil.example' } })).toBe(403);
  });
});

const forwardSchema = `maestro_term_${process.pid}`;
const forwardDb = (await pgSchemaUrl(forwardSchema, 'the terminal forwarding test (two nodes)')) ?? '';

describe.skipIf(forwardDb === '')('a terminal opened on the wrong node (two nodes on one PostgreSQL)', () => {
  const cleanup = new Cleanup();
  afterAll(async () => {
    await cleanup.run();
    await pgAdmin(`DROP SCHEMA IF EXISTS ${forwardSchema} CASCADE`);
  });

  it('is forwarded to the node that runs the session: its screen, and what is typed', async () => {
    const node = async (name: string) => {
      const m = await testMaestro(cleanup, { db: forwardDb, nodeName: name, cleanupIntervalSecs: 3600 });
      return { m, url: await m.listen() };
    };
    const a = await node('node-a');
    const b = await node('node-b');
    await a.m.services.projects.create({ id: 'proj_fwd', name: 'fwd', repoPath: a.m.dir });
    const s = await a.m.services.sessions.spawn({
      projectId: 'proj_fwd',
      command: ['sh', '-c', 'echo "runs on node a"; while read l; do echo "a heard:$l"; done'],
    });
    expect(s.runtime.host).toBe('node-a');
    const nodes = await b.m.services.store.listNodes();
    expect(nodes.find((n) => n.host === 'node-a')?.url).toBe(a.url);

    const viewer = await connect(`${b.url.replace('http', 'ws')}/api/sessions/${s.id}/terminal?cols=80&rows=24`);
    cleanup.add(() => viewer.ws.terminate());
    await until(() => viewer.screen().includes('runs on node a'), 5000, 'node a’s screen through node b');
    viewer.send({ type: 'input', data: 'through b\r' });
    await until(() => viewer.screen().includes('a heard:through b'), 5000, 'the keys through node b');
    await a.m.services.sessions.delete(s.id);
  });
});
