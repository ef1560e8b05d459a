import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { accessPolicy, hostAllowed, isLoopback } from '../../src/server/auth.js';
import { Cleanup, testMaestro } from '../helpers.js';
import { rawRequest, tmuxSessionNames } from './http.js';

/** Resolves with the HTTP status a WebSocket upgrade got (101 when it opened). */
function upgradeStatus(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('unexpected-response', (_req, res) => {
      res.resume();
      ws.terminate();
      resolve(res.statusCode ?? 0);
    });
    ws.on('error', reject);
  });
}

describe('DNS rebinding (issue #16.1)', () => {
  let cleanup: Cleanup;
  afterEach(() => cleanup.run());

  it('a page rebound to 127.0.0.1 spawns nothing, reads nothing and opens no event stream', async () => {
    cleanup = new Cleanup();
    const m = await testMaestro(cleanup);
    await m.services.projects.create({ id: 'proj_rb', name: 'rb', repoPath: m.dir });
    const url = await m.listen();
    const { port } = new URL(url);
    // What a page of evil.example sends once its name resolves to 127.0.0.1: its own Host, its own Origin.
    const evil = { host: `evil.example:${port}`, origin: `http://evil.example:${port}` };
    const spawn = await rawRequest(url, {
      method: 'POST',
      path: '/api/sessions/spawn',
      headers: evil,
      body: { projectId: 'proj_rb', command: ['sh', '-c', 'touch PWNED; sleep 30'] },
    });
    expect(spawn.status).toBe(403);
    expect(JSON.parse(spawn.body)).toMatchObject({
      code: 'host_not_allowed',
      message: `Host "${evil.host}" is not a name of this server; to reach it under another name, add the name to MAESTRO_ALLOWED_HOSTS`,
      details: { host: evil.host },
    });
    expect((await m.services.sessions.list()).sessions).toEqual([]);
    expect(await tmuxSessionNames(m.config.tmuxSocket)).toEqual([]);
    expect(existsSync(join(m.dir, 'PWNED'))).toBe(false);

    expect((await rawRequest(url, { path: '/api/sessions', headers: evil })).status).toBe(403);
    expect((await rawRequest(url, { path: '/api/sessions', headers: { host: evil.host } })).status).toBe(403);
    expect(await upgradeStatus(`${url.replace('http', 'ws')}/api/events`, evil)).toBe(403);
  });

  it('the CLI and the dashboard still reach it as localhost, 127.0.0.1 and [::1], with or without a port', async () => {
    cleanup = new Cleanup();
    const m = await testMaestro(cleanup);
    const url = await m.listen();
    const { port } = new URL(url);
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, '127.0.0.1', 'localhost', `[::1]:${port}`, 'LOCALHOST']) {
      const answer = await rawRequest(url, { path: '/api/sessions', headers: { host } });
      expect(answer.status, host).toBe(200);
    }
    const page = `http://localhost:${port}`;
    expect(await upgradeStatus(`${url.replace('http', 'ws')}/api/events`, { host: `localhost:${port}`, origin: page })).toBe(101);
  });

  it('answers a name of MAESTRO_ALLOWED_HOSTS, and no other', async () => {
    cleanup = new Cleanup();
    const m = await testMaestro(cleanup, { allowedHosts: 'maestro.internal, Build-Box' });
    const url = await m.listen();
    const at = async (host: string) => (await rawRequest(url, { path: '/api/sessions', headers: { host } })).status;
    expect(await at('maestro.internal:7420')).toBe(200);
    expect(await at('build-box')).toBe(200);
    expect(await at('maestro.internal.evil.example')).toBe(403);
    expect(await at('evil.example')).toBe(403);
  });

  it('refuses a request with no Host header (HTTP/1.0), saying the name it got was empty', async () => {
    cleanup = new Cleanup();
    const m = await testMaestro(cleanup);
    const { port } = new URL(await m.listen());
    const socket = connect(Number(port), '127.0.0.1');
    cleanup.add(() => socket.destroy());
    socket.end('GET /api/sessions HTTP/1.0\r\n\r\n');
    const answer = (await text(socket)).split('\r\n\r\n');
    expect(answer[0]).toMatch(/^HTTP\/1\.[01] 403 /);
    expect(JSON.parse(answer[1] as string)).toMatchObject({
      code: 'host_not_allowed',
      message: expect.stringMatching(/^Host "" is not a name of this server/),
      details: { host: null },
    });
  });

  it('refuses hosts that only look like loopback', () => {
    cleanup = new Cleanup();
    for (const host of [
      'localhost',
      'localhost:1',
      '127.0.0.1:7420',
      '127.9.9.9',
      '[::1]',
      '[::1]:7420',
      '[::ffff:127.0.0.1]:80',
    ])
      expect(hostAllowed(host, []), host).toBe(true);
    for (const host of [
      undefined,
      '',
      'localhost.evil.example',
      '127.0.0.1.nip.io',
      'evil.example',
      '0.0.0.0',
      '[::]',
      '128.0.0.1',
      'localhost:7420:1',
      'user@localhost',
      '[::1',
    ])
      expect(hostAllowed(host, []), String(host)).toBe(false);
  });

  it('checks Host on a loopback bind always, off loopback only when names are listed (the token guards such a server)', () => {
    cleanup = new Cleanup();
    expect(accessPolicy('127.0.0.1', '', '', '').checkHost).toBe(true);
    expect(accessPolicy('::1', '', '', '').checkHost).toBe(true);
    expect(accessPolicy('0.0.0.0', 'tok', '', '').checkHost).toBe(false);
    expect(accessPolicy('0.0.0.0', 'tok', '', 'box.lan').checkHost).toBe(true);
    expect(isLoopback('::ffff:127.0.0.1')).toBe(true);
    expect(isLoopback('::ffff:10.0.0.1')).toBe(false);
  });
});
