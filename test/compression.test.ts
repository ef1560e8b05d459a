import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { brotliDecompressSync, createGunzip, gunzipSync, inflateSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DASHBOARD_DIR } from '../src/server/routes/dashboard.js';
import { Cleanup, testMaestro, until } from './helpers.js';

type TestMaestro = Awaited<ReturnType<typeof testMaestro>>;

/** The body of an answer decoded as its `content-encoding` says. */
function decoded(body: Buffer, encoding: string | undefined): Buffer {
  if (encoding === 'br') return brotliDecompressSync(body);
  if (encoding === 'gzip') return gunzipSync(body);
  if (encoding === 'deflate') return inflateSync(body);
  expect(encoding).toBeUndefined();
  return body;
}

/** A frame the server sent: RSV1 set means permessage-deflate compressed it; `length` as sent. */
interface Frame {
  rsv1: boolean;
  opcode: number;
  length: number;
}

/**
 * A WebSocket opened by hand, offering permessage-deflate, so the server's frames can be read as
 * they cross the wire (a WebSocket library would inflate them unseen): its handshake answer and
 * every frame so far.
 */
async function rawWebSocket(cleanup: Cleanup, url: string): Promise<{ head: string; frames: Frame[] }> {
  const { hostname, port, pathname, search } = new URL(url);
  const socket = connect(Number(port), hostname);
  cleanup.add(() => socket.destroy());
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  socket.write(
    [
      `GET ${pathname}${search} HTTP/1.1`,
      `Host: ${hostname}:${port}`,
      'Upgrade: websocket',
      'Connection: Upgrade',
      'Sec-WebSocket-Version: 13',
      `Sec-WebSocket-Key: ${Buffer.from('0123456789abcdef').toString('base64')}`,
      'Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits',
      '',
      '',
    ].join('\r\n'),
  );
  const result = { head: '', frames: [] as Frame[] };
  let pending = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    if (!result.head) {
      const end = pending.indexOf('\r\n\r\n');
      if (end < 0) return;
      result.head = pending.subarray(0, end).toString();
      pending = pending.subarray(end + 4);
    }
    for (;;) {
      if (pending.length < 2) return;
      const short = (pending[1] as number) & 0x7f;
      const offset = short === 126 ? 4 : short === 127 ? 10 : 2;
      if (pending.length < offset) return;
      const length = short === 126 ? pending.readUInt16BE(2) : short === 127 ? Number(pending.readBigUInt64BE(2)) : short;
      if (pending.length < offset + length) return;
      const first = pending[0] as number;
      result.frames.push({ rsv1: (first & 0x40) !== 0, opcode: first & 0x0f, length });
      pending = pending.subarray(offset + length);
    }
  });
  await until(() => result.head, 5000, 'the handshake answer');
  return result;
}

describe('HTTP compression (issue #24.3)', () => {
  let cleanup: Cleanup;
  beforeEach(() => {
    cleanup = new Cleanup();
  });
  afterEach(() => cleanup.run());

  /** `url` answered with `accept-encoding: encoding`: its encoding and its body, raw and decoded. */
  const get = async (m: TestMaestro, url: string, encoding: string, headers: Record<string, string> = {}) => {
    const res = await m.app.inject({ url, headers: { 'accept-encoding': encoding, ...headers } });
    const contentEncoding = res.headers['content-encoding'] as string | undefined;
    return { res, contentEncoding, raw: res.rawPayload, body: decoded(res.rawPayload, contentEncoding).toString('utf8') };
  };

  // Full rows: large enough to compress well (summaries of 20 sessions are about 5 KB).
  const LIST = '/api/sessions?view=full';

  it('compresses an answer of 1 KB or more as the client accepts it, equal once decoded; a small one goes as it is', async () => {
    const m = await testMaestro(cleanup);
    await m.services.projects.create({ id: 'proj_c', name: 'c', repoPath: m.dir });
    for (let i = 0; i < 20; i++) await m.services.sessions.create({ projectId: 'proj_c', name: `session-${i}` });

    const identity = await get(m, LIST, 'identity');
    expect(identity.contentEncoding).toBeUndefined();
    expect(identity.raw.length).toBeGreaterThan(10_000);
    for (const [accept, chosen] of [
      ['gzip', 'gzip'],
      ['br', 'br'],
      ['deflate', 'deflate'],
      ['gzip, deflate, br', 'br'],
      ['gzip;q=1, br;q=0.5', 'gzip'],
    ] as const) {
      const answer = await get(m, LIST, accept);
      expect(answer.contentEncoding, accept).toBe(chosen);
      expect(answer.res.headers.vary).toContain('accept-encoding');
      expect(answer.raw.length).toBeLessThan(identity.raw.length / 4);
      expect(JSON.parse(answer.body)).toEqual(JSON.parse(identity.body));
    }
    // Without Accept-Encoding: as it is.
    const none = await m.app.inject({ url: LIST });
    expect(none.headers['content-encoding']).toBeUndefined();
    expect(none.json()).toEqual(JSON.parse(identity.body));

    // Under 1 KB: not worth a zlib pass.
    const small = await get(m, '/api/projects/proj_c', 'gzip, br');
    expect(small.raw.length).toBeLessThan(1024);
    expect(small.contentEncoding).toBeUndefined();
    expect(small.res.json()).toMatchObject({ id: 'proj_c' });
  });

  it("compresses the dashboard's static files", async () => {
    // Built by `npm install` (`npm run build:web`), as the dashboard test needs it too.
    expect(existsSync(join(DASHBOARD_DIR, 'index.html')), `${DASHBOARD_DIR} missing: run npm run build:web`).toBe(true);
    const assets = join(DASHBOARD_DIR, 'assets');
    const largest = readdirSync(assets)
      .map((name) => ({ name, size: statSync(join(assets, name)).size }))
      .filter((f) => /\.(js|css)$/.test(f.name))
      .sort((x, y) => y.size - x.size)[0];
    expect(largest).toBeDefined();
    const m = await testMaestro(cleanup);
    for (const [url, file] of [
      [`/assets/${largest?.name}`, join(assets, largest?.name ?? '')],
      ['/', join(DASHBOARD_DIR, 'index.html')],
    ] as const) {
      for (const encoding of ['br', 'gzip']) {
        const answer = await get(m, url, encoding);
        expect(answer.res.statusCode).toBe(200);
        expect(answer.contentEncoding, `${url} ${encoding}`).toBe(encoding);
        expect(answer.body).toBe(readFileSync(file, 'utf8'));
      }
    }
  });

  it('checks Host, Origin and the token before anything is compressed', async () => {
    const m = await testMaestro(cleanup, { token: 'secret-token' });
    await m.services.projects.create({ id: 'proj_c', name: 'c', repoPath: m.dir });
    for (let i = 0; i < 20; i++) await m.services.sessions.create({ projectId: 'proj_c' });
    const refusals = [
      await get(m, '/api/sessions', 'gzip'),
      await get(m, '/api/sessions', 'gzip', { authorization: 'Bearer wrong' }),
      await get(m, '/api/sessions', 'gzip', { authorization: 'Bearer secret-token', host: 'evil.example' }),
      await get(m, '/api/sessions', 'gzip', { authorization: 'Bearer secret-token', origin: 'https://evil.example' }),
    ];
    expect(refusals.map((r) => [r.res.statusCode, r.res.json().code])).toEqual([
      [401, 'unauthorized'],
      [401, 'unauthorized'],
      [403, 'host_not_allowed'],
      [403, 'origin_forbidden'],
    ]);
    const allowed = await get(m, '/api/sessions', 'gzip', { authorization: 'Bearer secret-token' });
    expect(allowed.res.statusCode).toBe(200);
    expect(allowed.contentEncoding).toBe('gzip');
    expect(JSON.parse(allowed.body).sessions).toHaveLength(20);
  });

  it('streams a followed transcript as the session prints, even with accept-encoding: gzip; one read whole is compressed', async () => {
    const m = await testMaestro(cleanup);
    const url = await m.listen();
    await m.services.projects.create({ id: 'proj_log', name: 'log', repoPath: m.dir });
    const s = await m.services.sessions.spawn({
      projectId: 'proj_log',
      command: ['sh', '-c', 'echo "first line"; read x; echo "printed while followed: $x"; read y; echo "last line"'],
    });
    await until(
      async () => (await m.services.sessions.output(s.id, 10)).lines.join('\n').includes('first line'),
      10_000,
      'output',
    );

    // Read whole: compressed, and the same bytes once decoded.
    const whole = await get(m, `/api/sessions/${s.id}/log`, 'gzip');
    expect(whole.contentEncoding).toBe('gzip');
    expect(whole.body).toBe((await get(m, `/api/sessions/${s.id}/log`, 'identity')).body);

    // Followed over a real socket: each line arrives while the session still runs (decoded as
    // sent, should the server choose to compress a live stream after all).
    const chunks: Buffer[] = [];
    const text = () => Buffer.concat(chunks).toString('utf8');
    await new Promise<void>((resolve, reject) => {
      const req = request(`${url}/api/sessions/${s.id}/log?follow=true`, { headers: { 'accept-encoding': 'gzip' } }, (res) => {
        const body = res.headers['content-encoding'] === 'gzip' ? res.pipe(createGunzip()) : res;
        body.on('data', (chunk: Buffer) => chunks.push(chunk));
        resolve();
      });
      req.on('error', reject);
      cleanup.add(() => req.destroy());
      req.end();
    });
    await until(() => text().includes('first line'), 10_000, 'the transcript so far');
    await m.services.sessions.terminal.sendInput(s.id, { text: 'hello' });
    await until(() => text().includes('printed while followed: hello'), 10_000, 'the line printed while followed');
    expect((await m.services.sessions.get(s.id)).completedAt).toBeNull();
    await m.services.sessions.end(s.id, 'stopped');
  });

  it('on sockets that negotiated permessage-deflate: terminal frames and replays go as they are, large live events deflated', async () => {
    const m = await testMaestro(cleanup);
    const base = (await m.listen()).replace('http', 'ws');
    await m.services.projects.create({ id: 'proj_term', name: 'term', repoPath: m.dir });
    const line = 'the quick brown fox jumps over the lazy dog, and again, and again';
    const s = await m.services.sessions.spawn({
      projectId: 'proj_term',
      command: ['sh', '-c', `i=0; while [ $i -lt 30 ]; do echo "$i ${line}"; i=$((i+1)); done; exec sleep 60`],
    });
    await until(
      async () => (await m.services.sessions.output(s.id, 40)).lines.some((l) => l.startsWith('29 ')),
      10_000,
      'output',
    );

    const terminal = await rawWebSocket(cleanup, `${base}/api/sessions/${s.id}/terminal?cols=120&rows=40`);
    expect(terminal.head).toMatch(/^HTTP\/1.1 101/);
    expect(terminal.head.toLowerCase()).toContain('sec-websocket-extensions: permessage-deflate');
    // The screen on connect (over 2 KB), drawn in frames sent as they are.
    const binary = () => terminal.frames.filter((f) => f.opcode === 2);
    await until(() => binary().reduce((n, f) => n + f.length, 0) > 2000 || binary().some((f) => f.rsv1), 10_000, 'the screen');
    expect(binary().filter((f) => f.rsv1)).toEqual([]);

    // The event stream on the same server deflates live messages over 16 KiB, not the small
    // ones, and not a replay (it would hold every other client's live events behind it).
    const events = await rawWebSocket(cleanup, `${base}/api/events`);
    await until(() => events.frames.length >= 1, 5000, 'ready');
    await m.services.sessions.update(s.id, { featureRequest: line.repeat(300) });
    await until(() => events.frames.some((f) => f.rsv1), 5000, 'a deflated live event');
    expect(events.frames[0]).toMatchObject({ rsv1: false, opcode: 1 });
    const replay = await rawWebSocket(cleanup, `${base}/api/events?since=0`);
    await until(() => replay.frames.some((f) => f.length > 16 * 1024), 5000, 'the replayed update');
    expect(replay.frames.filter((f) => f.rsv1)).toEqual([]);
    await m.services.sessions.end(s.id, 'stopped');
  });
});
