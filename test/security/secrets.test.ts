import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { issueSessionToken, verifySessionToken } from '../../src/core/sessions/session-tokens.js';
import { TmuxSessionManager } from '../../src/runtime/tmux.js';
import { Cleanup, tempDir, testMaestro, tmuxSocket, until } from '../helpers.js';
import { rawRequest } from './http.js';

const TOKEN = 'server-secret-token-0123456789';

describe('secrets stay secret (issue #16.5)', () => {
  let cleanup: Cleanup;
  afterEach(() => cleanup.run());

  it('a spawned agent gets its own token through no command line, and not the server’s secrets', async () => {
    cleanup = new Cleanup();
    const dir = tempDir(cleanup);
    // A tmux that records every command line it is given, as `ps` would show them.
    const argvLog = join(dir, 'argv.log');
    const wrapper = join(dir, 'tmux');
    writeFileSync(wrapper, `#!/bin/sh\nprintf '%s\\n' "$*" >> '${argvLog}'\nexec tmux "$@"\n`);
    chmodSync(wrapper, 0o755);
    const socket = tmuxSocket(cleanup);
    const runtime = new TmuxSessionManager({ socket, tmuxBin: wrapper, hiddenEnv: ['MAESTRO_TOKEN', 'MAESTRO_DB'] });
    const saved = { token: process.env.MAESTRO_TOKEN, db: process.env.MAESTRO_DB };
    // The server's own environment holds its secrets, as `MAESTRO_TOKEN=… maestro serve` would.
    process.env.MAESTRO_TOKEN = TOKEN;
    process.env.MAESTRO_DB = 'postgres://maestro:db-password@127.0.0.1/maestro';
    cleanup.add(() => {
      for (const [key, value] of [
        ['MAESTRO_TOKEN', saved.token],
        ['MAESTRO_DB', saved.db],
      ] as const) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    });
    const m = await testMaestro(cleanup, { token: TOKEN, tmuxSocket: socket }, { runtime });
    await m.services.projects.create({ id: 'proj_sec', name: 'sec', repoPath: m.dir });
    const out = join(m.dir, 'env.out');
    const s = await m.services.sessions.spawn({
      projectId: 'proj_sec',
      command: [
        'sh',
        '-c',
        `printf '%s|%s' "$MAESTRO_TOKEN" "\${MAESTRO_DB-unset}" > '${out}.tmp' && mv '${out}.tmp' '${out}' && exec sleep 600`,
      ],
    });
    await until(() => existsSync(out));
    const [agentToken, agentDb] = readFileSync(out, 'utf8').split('|');
    expect(agentToken).toBe(issueSessionToken(TOKEN, s.id));
    expect(agentDb).toBe('unset');

    const argv = readFileSync(argvLog, 'utf8');
    expect(argv).toContain('new-session');
    expect(argv).not.toContain(agentToken);
    expect(argv).not.toContain(TOKEN);
    const startCommand = await execa(
      'tmux',
      ['-L', socket, 'display-message', '-p', '-t', `=${s.runtime.tmuxSession}:`, '#{pane_start_command}'],
      {
        env: { TMUX: undefined },
      },
    );
    expect(startCommand.stdout).toContain('sleep 600');
    expect(startCommand.stdout).not.toContain(agentToken);
    const ps = await execa('ps', ['-eww', '-o', 'args=']);
    expect(ps.stdout).not.toContain(agentToken);
    expect(ps.stdout).not.toContain(TOKEN);
  });

  it('a session token reports on its own session only; the server token still opens everything', async () => {
    cleanup = new Cleanup();
    const m = await testMaestro(cleanup, { token: TOKEN });
    const admin = { authorization: `Bearer ${TOKEN}` };
    await m.app.inject({
      method: 'POST',
      url: '/api/projects',
      headers: admin,
      payload: { id: 'proj_t', name: 't', repoPath: m.dir },
    });
    for (const id of ['sess_mine', 'sess_other'])
      await m.app.inject({ method: 'POST', url: '/api/sessions', headers: admin, payload: { id, projectId: 'proj_t' } });
    const own = { authorization: `Bearer ${issueSessionToken(TOKEN, 'sess_mine')}` };
    const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
      m.app.inject({ method, url, headers: own, ...(payload ? { payload } : {}) });

    expect((await call('POST', '/api/sessions/sess_mine/touch', {})).statusCode).toBe(200);
    expect((await call('POST', '/api/sessions/sess_mine/needs-input', { reason: 'question', message: 'ok?' })).statusCode).toBe(
      200,
    );
    expect((await call('GET', '/api/sessions/sess_mine')).statusCode).toBe(200);
    expect((await call('POST', '/api/sessions/sess_mine/transition', { status: 'planning' })).statusCode).toBe(200);
    for (const [method, url, payload] of [
      ['GET', '/api/sessions/sess_other', undefined],
      ['POST', '/api/sessions/sess_other/touch', {}],
      ['GET', '/api/sessions', undefined],
      ['GET', '/api/projects', undefined],
      ['POST', '/api/sessions/spawn', { projectId: 'proj_t', command: ['true'] }],
      ['DELETE', '/api/sessions/sess_mine', undefined],
      ['POST', '/api/maintenance/cleanup', {}],
    ] as const) {
      const answer = await call(method, url, payload);
      expect(answer.statusCode, `${method} ${url}`).toBe(403);
      expect(answer.json()).toMatchObject({ code: 'forbidden', details: { sessionId: 'sess_mine' } });
    }
    expect((await m.services.sessions.get('sess_other')).messageCount).toBe(0);
    // A forged one (another session's id under a MAC of this one) is no token at all.
    const forged = issueSessionToken(TOKEN, 'sess_mine').replace('sess_mine', 'sess_other');
    expect(verifySessionToken(TOKEN, forged)).toBeUndefined();
    expect(
      (await m.app.inject({ url: '/api/sessions/sess_other', headers: { authorization: `Bearer ${forged}` } })).statusCode,
    ).toBe(401);
    expect(verifySessionToken('another-server', issueSessionToken(TOKEN, 'sess_mine'))).toBeUndefined();
    expect((await m.app.inject({ url: '/api/sessions', headers: admin })).statusCode).toBe(200);
  });

  it('takes ?token= on WebSocket upgrades only, and never echoes a token in an error', async () => {
    cleanup = new Cleanup();
    const m = await testMaestro(cleanup, { token: TOKEN });
    const inQuery = await m.app.inject({ url: `/api/sessions?token=${TOKEN}` });
    expect(inQuery.statusCode).toBe(401);
    expect(inQuery.json().message).toContain('WebSocket upgrades only');
    const url = await m.listen();
    const badUrl = await rawRequest(url, { path: `/api/sessions/%ZZ?token=${TOKEN}` });
    expect(badUrl.status).toBe(400);
    expect(badUrl.body).not.toContain(TOKEN);
    const wrong = await rawRequest(url, { path: '/api/sessions', headers: { authorization: `Bearer ${TOKEN}x` } });
    expect(wrong.status).toBe(401);
    expect(wrong.body).not.toContain(TOKEN);
  });
});
