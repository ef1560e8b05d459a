import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { MaestroClient, type WebSocketConstructor } from '../src/client/index.js';
import { DEFAULTS } from '../src/core/config.js';
import { createMaestro } from '../src/maestro.js';
import { hostAllowed, hostName, isLoopback, originAllowed, requireTokenOffLoopback, tokensEqual } from '../src/server/auth.js';
import { BIN, Cleanup, quietLog, startServer, testMaestro, tmuxSocket } from './helpers.js';

const TOKEN = 's3cret-token-for-tests';

/** Opens a WebSocket and resolves with how it went: opened, or the HTTP status the upgrade got. */
function tryWebSocket(url: string, headers: Record<string, string> = {}): Promise<{ opened: boolean; status?: number }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.on('open', () => {
      ws.close();
      resolve({ opened: true });
    });
    ws.on('unexpected-response', (_req, res) => {
      resolve({ opened: false, status: res.statusCode });
      res.resume();
      ws.terminate();
    });
    ws.on('error', reject);
  });
}

describe('access control', () => {
  let cleanup: Cleanup;
  afterEach(() => cleanup.run());

  it('knows loopback addresses', () => {
    cleanup = new Cleanup();
    for (const host of ['127.0.0.1', '127.8.9.10', 'localhost', '::1', '[::1]']) expect(isLoopback(host)).toBe(true);
    for (const host of [
      '0.0.0.0',
      '::',
      '192.168.1.4',
      'example.com',
      '10.0.0.1',
      '127.0.0.1.evil.com',
      'localhost.evil.com',
      '[::2]',
      ':[:1', // brackets are stripped only around the host
      ':]:1',
    ])
      expect(isLoopback(host), host).toBe(false);
  });

  it('asks for a token off loopback only', () => {
    cleanup = new Cleanup();
    expect(() => requireTokenOffLoopback('127.0.0.1', '')).not.toThrow();
    expect(() => requireTokenOffLoopback('0.0.0.0', TOKEN)).not.toThrow();
    expect(() => requireTokenOffLoopback('192.168.1.4', '')).toThrow(
      'MAESTRO_TOKEN (or --token) is required to listen on 192.168.1.4: anyone who can reach it could run commands as you',
    );
  });

  it('with a token, serves only the dashboard files without it; takes it from a Bearer header or ?token=', async () => {
    cleanup = new Cleanup();
    const m = await testMaestro(cleanup, { token: TOKEN });
    const status = async (url: string, headers: Record<string, string> = {}) => (await m.app.inject({ url, headers })).statusCode;
    for (const url of ['/', '/index.html', '/?x=1', '/assets/missing.js', '/favicon.ico'])
      expect(await status(url), url).not.toBe(401);
    for (const url of ['/index.html.bak', '/api/sessions/favicon', '/api/assets/x', '/x/index.html', '/api/health?/assets/'])
      expect(await status(url), url).toBe(401);
    expect(await status('/api/health', { authorization: `Bearer   ${TOKEN}  ` })).toBe(200);
    expect(await status('/api/health', { authorization: `Basic ${TOKEN}` })).toBe(401);
    expect(await status('/api/health', { authorization: `bearer ${TOKEN}` })).toBe(401);
    expect(await status(`/api/health?token=${TOKEN}`, { authorization: 'Bearer wrong' })).toBe(401); // the header wins
    expect(await status('/api/health?token=')).toBe(401);
    const none = await m.app.inject({ url: '/api/health' });
    expect(none.headers['www-authenticate']).toBe('Bearer realm="maestro"');
    expect(none.json().message).toBe(
      'this server requires a token: send "Authorization: Bearer <MAESTRO_TOKEN>" (WebSocket: ?token=)',
    );
    expect(none.headers.connection).not.toBe('close'); // plain HTTP keeps its connection
    // A refused WebSocket upgrade closes its connection: the server no longer tracks that socket.
    const upgrade = await m.app.inject({ url: '/api/events', headers: { upgrade: 'WebSocket', connection: 'upgrade' } });
    expect(upgrade.statusCode).toBe(401);
    expect(upgrade.headers.connection).toBe('close');
  });

  it('compares tokens by content, whatever their lengths', () => {
    cleanup = new Cleanup();
    expect(tokensEqual(TOKEN, TOKEN)).toBe(true);
    expect(tokensEqual(`${TOKEN}x`, TOKEN)).toBe(false);
    expect(tokensEqual('', TOKEN)).toBe(false);
    expect(tokensEqual(TOKEN.replace('s', 'S'), TOKEN)).toBe(false);
    // Every character counts, the last one too.
    expect(tokensEqual(`${TOKEN.slice(0, -1)}X`, TOKEN)).toBe(false);
    expect(tokensEqual(TOKEN.slice(0, -1), TOKEN)).toBe(false);
    expect(tokensEqual(`X${TOKEN.slice(1)}`, TOKEN)).toBe(false);
    expect(tokensEqual('a', 'b')).toBe(false);
    expect(tokensEqual('', '')).toBe(true);
  });

  it('allows its own origin, listed origins and programs without an origin', () => {
    cleanup = new Cleanup();
    expect(originAllowed(undefined, '127.0.0.1:7420', [])).toBe(true);
    expect(originAllowed('http://127.0.0.1:7420', '127.0.0.1:7420', [])).toBe(true);
    expect(originAllowed('http://evil.example', '127.0.0.1:7420', [])).toBe(false);
    expect(originAllowed('http://127.0.0.1:9999', '127.0.0.1:7420', [])).toBe(false);
    expect(originAllowed('http://tools.example', '127.0.0.1:7420', ['http://tools.example'])).toBe(true);
    // A listed origin is matched whole, never as a prefix or a part.
    for (const origin of [
      'http://tools.example.evil.com',
      'http://tools.example:8080',
      'http://tools.exampl',
      'https://tools.example',
      'http://evil.com/http://tools.example',
    ])
      expect(originAllowed(origin, '127.0.0.1:7420', ['http://tools.example']), origin).toBe(false);
    // Its own origin is matched by host and port, whatever the scheme writes out.
    expect(originAllowed('http://127.0.0.1:80', '127.0.0.1', [])).toBe(true);
    expect(originAllowed('http://127.0.0.1.evil.com:7420', '127.0.0.1:7420', [])).toBe(false);
    expect(originAllowed('http://127.0.0.1:7420', undefined, [])).toBe(false);
    expect(originAllowed('http://undefined', undefined, [])).toBe(false); // no Host: nothing is its own origin
    expect(originAllowed('not a url', '127.0.0.1:7420', [])).toBe(false);
  });

  it('refuses to start off loopback without a token, naming MAESTRO_TOKEN', async () => {
    cleanup = new Cleanup();
    await expect(
      createMaestro({ ...DEFAULTS, host: '0.0.0.0', db: ':memory:', logLevel: 'silent' }, { log: quietLog() }),
    ).rejects.toThrow(/MAESTRO_TOKEN .*0\.0\.0\.0/);
  });

  it('with a token, answers 401 to requests without it or with a wrong one, and changes nothing', async () => {
    cleanup = new Cleanup();
    const m = await testMaestro(cleanup, { token: TOKEN });
    const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
    const create = { method: 'POST' as const, url: '/api/projects', payload: { id: 'proj_a', name: 'a', repoPath: m.dir } };
    const none = await m.app.inject(create);
    expect(none.statusCode).toBe(401);
    expect(none.json()).toMatchObject({ code: 'unauthorized' });
    expect(none.headers['www-authenticate']).toContain('Bearer');
    const wrong = await m.app.inject({ ...create, headers: bearer('wrong') });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().message).toBe('wrong token');
    const lastCharWrong = await m.app.inject({ ...create, headers: bearer(`${TOKEN.slice(0, -1)}X`) });
    expect(lastCharWrong.statusCode).toBe(401);
    for (const url of ['/api/health', '/metrics', '/api/sessions', '/api/openapi.json'])
      expect((await m.app.inject({ url })).statusCode, url).toBe(401);
    expect(await m.services.projects.list()).toEqual([]);

    expect((await m.app.inject({ ...create, headers: bearer(TOKEN) })).statusCode).toBe(201);
    // In a plain request's URL a token would end up in histories and logs: only upgrades take it there.
    const inUrl = await m.app.inject({ url: `/api/projects?token=${TOKEN}` });
    expect(inUrl.statusCode).toBe(401);
    expect(inUrl.json().message).toBe(
      '?token= is accepted on WebSocket upgrades only: send "Authorization: Bearer <MAESTRO_TOKEN>"',
    );
    // The dashboard's files hold no data: the page loads, then asks for the token's data.
    expect((await m.app.inject({ url: '/' })).statusCode).toBe(200);
  });

  it('without a token configured, ignores one a client sends anyway', async () => {
    cleanup = new Cleanup();
    const m = await testMaestro(cleanup);
    expect((await m.app.inject({ url: '/api/sessions?token=abc', headers: { authorization: 'Bearer abc' } })).statusCode).toBe(
      200,
    );
  });

  it('answers 403 to a foreign browser origin, token or not', async () => {
    cleanup = new Cleanup();
    const m = await testMaestro(cleanup, { allowedOrigins: 'http://tools.example' });
    const from = (origin: string) => m.app.inject({ url: '/api/projects', headers: { origin, host: 'localhost:80' } });
    const evil = await from('http://evil.example');
    expect(evil.statusCode).toBe(403);
    expect(evil.json()).toMatchObject({
      code: 'origin_forbidden',
      message: 'origin http://evil.example may not call this server; add it to MAESTRO_ALLOWED_ORIGINS',
    });
    expect(evil.headers.connection).not.toBe('close');
    const upgrade = await m.app.inject({
      url: '/api/events',
      headers: { origin: 'http://evil.example', host: 'localhost:80', upgrade: 'websocket', connection: 'upgrade' },
    });
    expect(upgrade.statusCode).toBe(403);
    expect(upgrade.headers.connection).toBe('close');
    expect((await from('http://localhost:80')).statusCode).toBe(200);
    expect((await from('http://tools.example')).statusCode).toBe(200);
    const lookalike = await from('http://tools.example.evil.com');
    expect(lookalike.statusCode).toBe(403);
    expect(lookalike.json()).toMatchObject({ code: 'origin_forbidden', details: { origin: 'http://tools.example.evil.com' } });
  });

  it('over a real socket: WebSocket upgrades need the token and a fair origin; refused sockets close; the client sends it', async () => {
    cleanup = new Cleanup();
    const m = await testMaestro(cleanup, { token: TOKEN });
    const url = await m.listen();
    const ws = `${url.replace('http', 'ws')}/api/events`;
    expect(await tryWebSocket(ws)).toEqual({ opened: false, status: 401 });
    expect(await tryWebSocket(`${ws}?token=wrong`)).toEqual({ opened: false, status: 401 });
    expect(await tryWebSocket(`${ws}?token=${TOKEN}`, { origin: 'http://evil.example' })).toEqual({
      opened: false,
      status: 403,
    });
    expect(await tryWebSocket(`${ws}?since=0&token=${TOKEN}`)).toEqual({ opened: true });
    expect(await tryWebSocket(ws, { authorization: `Bearer ${TOKEN}` })).toEqual({ opened: true });

    const client = new MaestroClient({ baseUrl: url, token: TOKEN, WebSocket: WebSocket as unknown as WebSocketConstructor });
    await client.projects.create({ id: 'proj_c', name: 'c', repoPath: m.dir });
    const seen = await new Promise<string>((resolve) => {
      const handle = client.watch(0, {
        onEvent: (e) => {
          handle.close();
          resolve(e.type);
        },
      });
    });
    expect(seen).toBe('project:created');
    const anonymous = new MaestroClient({ baseUrl: url });
    await expect(anonymous.projects.list()).rejects.toMatchObject({ status: 401, code: 'unauthorized' });
    // Refused upgrades left no socket behind: close() returns (the cleanup would hang otherwise).
  });

  it('`maestro serve --host 0.0.0.0` without a token exits with the reason; with one it serves', async () => {
    cleanup = new Cleanup();
    const socket = tmuxSocket(cleanup);
    const refused = await execa(process.execPath, [BIN, 'serve', '--host', '0.0.0.0', '--port', '0', '--db', ':memory:'], {
      reject: false,
      env: { MAESTRO_TOKEN: '' },
    });
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stderr).toContain('MAESTRO_TOKEN (or --token) is required to listen on 0.0.0.0');
    const served = await startServer(cleanup, [
      '--token',
      TOKEN,
      '--host',
      '0.0.0.0',
      '--port',
      '0',
      '--db',
      ':memory:',
      '--tmux-socket',
      socket,
    ]);
    expect((await fetch(`${served.url}/api/health`)).status).toBe(401);
    expect((await fetch(`${served.url}/api/health`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
  });
});

describe('the Host header and loopback names (DNS rebinding)', () => {
  it('reads the host name of name, name:port, [v6] and [v6]:port, lower case; anything else is no name', () => {
    expect(hostName('[::1]:7420')).toBe('::1');
    expect(hostName('[::1]')).toBe('::1');
    expect(hostName('[::FFFF:127.0.0.1]:80')).toBe('::ffff:127.0.0.1');
    expect(hostName('LocalHost:7420')).toBe('localhost');
    expect(hostName('Box.LAN')).toBe('box.lan');
    expect(hostName('127.0.0.1:65535')).toBe('127.0.0.1');
    for (const bad of [
      '',
      'evil.com:80x',
      'x[::1]',
      '[::1]x',
      '[::1]:123456',
      'host:123456',
      '[zz]',
      '[]',
      'user@host',
      'a:b:c',
      'a b',
      'a/b',
      ':80',
      '[::1]:',
    ])
      expect({ bad, name: hostName(bad) }).toEqual({ bad, name: undefined });
  });

  it('allows loopback names and the configured ones only; a missing or malformed header is refused', () => {
    expect(hostAllowed('127.0.0.1:7420', [])).toBe(true);
    expect(hostAllowed('[::1]:7420', [])).toBe(true);
    expect(hostAllowed('LOCALHOST', [])).toBe(true);
    expect(hostAllowed('box.lan:7420', ['box.lan'])).toBe(true);
    expect(hostAllowed('BOX.lan', ['box.lan'])).toBe(true);
    expect(hostAllowed('evil.example:7420', ['box.lan'])).toBe(false);
    expect(hostAllowed(undefined, ['box.lan'])).toBe(false);
    expect(hostAllowed('box.lan:x', ['box.lan'])).toBe(false);
  });

  it('counts localhost, 127.0.0.0/8, ::1 and ::ffff:127.0.0.0/104 as loopback, nothing else', () => {
    for (const host of ['localhost', '127.0.0.1', '127.255.0.9', '::1', '[::1]', '::ffff:127.0.0.1'])
      expect({ host, loopback: isLoopback(host) }).toEqual({ host, loopback: true });
    for (const host of ['0.0.0.0', '10.0.0.1', '::', '::2', 'example.com', 'localhost.evil.com', '128.0.0.1'])
      expect({ host, loopback: isLoopback(host) }).toEqual({ host, loopback: false });
  });
});
