import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { TmuxSessionManager } from '../../src/runtime/tmux.js';
import { Cleanup, testMaestro, tmuxSocket, until } from '../helpers.js';
import { tmuxSessionNames } from './http.js';

/** Starts a tmux session Maestro does not own on `socket`: `name`, showing `secret`, optionally tagged by another owner. */
async function victim(socket: string, name: string, secret: string, owner?: string): Promise<void> {
  const tmux = (...args: string[]) => execa('tmux', ['-L', socket, ...args], { env: { TMUX: undefined } });
  await tmux('new-session', '-d', '-s', name, 'sh', '-c', `echo ${secret}; exec sleep 600`);
  if (owner) await tmux('set-option', '-t', `=${name}:`, '@maestro_owner', owner);
}

describe('Maestro never reads or kills a tmux session it does not own (issue #16.3)', () => {
  let cleanup: Cleanup;
  afterEach(() => cleanup.run());

  it('an imported record naming someone else’s tmux session reads nothing of it, and the reconciler leaves it alive', async () => {
    cleanup = new Cleanup();
    const m = await testMaestro(cleanup);
    await m.services.projects.create({ id: 'proj_own', name: 'own', repoPath: m.dir });
    await victim(m.config.tmuxSocket, 'victim', 'victim-secret');
    const exported = await m.services.sessions.create({ id: 'sess_template', projectId: 'proj_own' });
    const imported = await m.app.inject({
      method: 'POST',
      url: '/api/sessions/import',
      payload: {
        ...exported,
        id: 'sess_imported',
        runtime: { kind: 'tmux', host: m.services.runtimeInfo.host, tmuxSession: 'victim', pid: null, exitCode: null },
      },
    });
    expect(imported.statusCode).toBe(201);
    // A record without a runtime: nothing for Maestro to read, signal or kill.
    expect(imported.json().runtime).toMatchObject({ kind: 'none', tmuxSession: null });
    const output = await m.app.inject({ url: '/api/sessions/sess_imported/output' });
    expect(output.body).not.toContain('victim-secret');
    for (let i = 0; i < 3; i++) await m.reconciler.reconcile();
    await m.services.sessions.end('sess_imported', 'completed');
    await m.reconciler.reconcile();
    expect(await tmuxSessionNames(m.config.tmuxSocket)).toContain('victim');
  });

  it('the runtime checks the owner tag before every capture and kill, even under Maestro’s name prefix', async () => {
    cleanup = new Cleanup();
    const socket = tmuxSocket(cleanup);
    const runtime = new TmuxSessionManager({ socket, owner: 'me', killGraceMs: 50 });
    await victim(socket, 'maestro-sess_other', 'other-secret', 'someone-else');
    await victim(socket, 'maestro-sess_untagged', 'untagged-secret');
    await victim(socket, 'plain', 'plain-secret', 'me');
    for (const name of ['maestro-sess_other', 'maestro-sess_untagged', 'plain']) {
      expect(await runtime.capture(name, 50), name).toEqual([]);
      await runtime.kill(name);
    }
    expect((await tmuxSessionNames(socket)).sort()).toEqual(['maestro-sess_other', 'maestro-sess_untagged', 'plain']);

    // Its own session is read and killed as before.
    const mine = await runtime.start({
      sessionId: 'sess_mine',
      cwd: '/',
      command: ['sh', '-c', 'echo mine; exec sleep 600'],
      env: {},
    });
    await until(async () => (await runtime.capture(mine.tmuxSession, 10)).includes('mine'));
    await runtime.kill(mine.tmuxSession);
    expect(await tmuxSessionNames(socket)).not.toContain(mine.tmuxSession);
  });
});
