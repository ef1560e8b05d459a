import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Cleanup, testMaestro } from './helpers.js';
import { tmuxSessionNames } from './security/http.js';

describe('spawn fails early with a reason (issue #22.4)', () => {
  let cleanup: Cleanup;
  afterEach(() => cleanup.run());

  it('refuses a program that cannot run with 400 command_not_found, before any session or tmux session exists', async () => {
    cleanup = new Cleanup();
    const m = await testMaestro(cleanup);
    await m.services.projects.create({ id: 'proj_cmd', name: 'cmd', repoPath: m.dir });
    writeFileSync(join(m.dir, 'not-executable.sh'), 'echo hi\n');
    for (const [command, says] of [
      [['no-such-program-maestro-test'], 'not found on PATH'],
      [['./missing.sh'], `${m.dir}/missing.sh is not an executable file`],
      [['./not-executable.sh'], 'is not an executable file'],
      [['/nonexistent/bin/agent', '--flag'], '/nonexistent/bin/agent is not an executable file'],
    ] as const) {
      const answer = await m.app.inject({
        method: 'POST',
        url: '/api/sessions/spawn',
        payload: { projectId: 'proj_cmd', command },
      });
      expect(answer.statusCode, command[0]).toBe(400);
      expect(answer.json()).toMatchObject({ code: 'command_not_found', details: { program: command[0] } });
      expect(answer.json().message).toContain(says);
    }
    expect((await m.services.sessions.list()).sessions).toEqual([]);
    expect(await tmuxSessionNames(m.config.tmuxSocket)).toEqual([]);
  });

  it('looks the program up on the spawn’s own PATH when it sets one', async () => {
    cleanup = new Cleanup();
    const m = await testMaestro(cleanup);
    await m.services.projects.create({ id: 'proj_path', name: 'path', repoPath: m.dir });
    const bin = join(m.dir, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'my-agent'), '#!/bin/sh\nexec sleep 30\n');
    chmodSync(join(bin, 'my-agent'), 0o755);
    const refused = await m.app.inject({
      method: 'POST',
      url: '/api/sessions/spawn',
      payload: { projectId: 'proj_path', command: ['my-agent'] },
    });
    expect(refused.json().code).toBe('command_not_found');
    const started = await m.app.inject({
      method: 'POST',
      url: '/api/sessions/spawn',
      payload: { projectId: 'proj_path', command: ['my-agent'], env: { PATH: `${bin}:${process.env.PATH}` } },
    });
    expect(started.statusCode).toBe(201);
  });
});
