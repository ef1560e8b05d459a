import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { MaestroClient } from '../src/client/index.js';
import type { Session } from '../src/domain/index.js';
import { TmuxSessionManager } from '../src/runtime/tmux.js';
import { Cleanup, startServer, tempDir, testMaestro, tmuxSocket, until } from './helpers.js';

const tmux = (socket: string, ...args: string[]) => execa('tmux', ['-L', socket, ...args], { reject: false });
const has = async (socket: string, name: string) => (await tmux(socket, 'has-session', '-t', `=${name}`)).exitCode === 0;
const pidAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function setup(cleanup: Cleanup, parts: Parameters<typeof testMaestro>[2] = {}) {
  const m = await testMaestro(cleanup, {}, parts);
  await m.services.projects.create({ id: 'proj_r', name: 'r', repoPath: m.dir });
  const spawn = (command: string[]) => m.services.sessions.spawn({ projectId: 'proj_r', command });
  const owner = await m.services.store.instanceId();
  return { m, spawn, owner, socket: m.config.tmuxSocket };
}

describe('reconciler against a real tmux', () => {
  let cleanup: Cleanup;
  afterEach(() => cleanup.run());

  it('ends a record within one pass when its tmux session is killed behind Maestro’s back', async () => {
    cleanup = new Cleanup();
    const { m, spawn, socket } = await setup(cleanup);
    const s = await spawn(['sleep', '300']);
    await tmux(socket, 'kill-session', '-t', `=${s.runtime.tmuxSession}`);
    const report = await m.reconciler.reconcile();
    expect(report.ended).toEqual([{ sessionId: s.id, reason: 'lost', exitCode: null }]);
    expect(await m.services.sessions.get(s.id)).toMatchObject({ status: 'failed', endReason: 'lost' });
  });

  it('kills a stray Maestro-owned session, and never touches sessions it does not own', async () => {
    cleanup = new Cleanup();
    const { m, socket, owner } = await setup(cleanup);
    const mine = new TmuxSessionManager({ socket, owner });
    await mine.start({ sessionId: 'sess_stray', cwd: m.dir, command: ['sleep', '300'], env: {} });
    const otherMaestro = new TmuxSessionManager({ socket, owner: 'inst_someone_else' });
    await otherMaestro.start({ sessionId: 'sess_theirs', cwd: m.dir, command: ['sleep', '300'], env: {} });
    await tmux(socket, 'new-session', '-d', '-s', 'users-own-work', 'sleep', '300');
    await tmux(socket, 'new-session', '-d', '-s', 'maestro-untagged', 'sleep', '300');

    const report = await m.reconciler.reconcile();
    expect(report.orphansKilled).toEqual(['maestro-sess_stray']);
    expect(await has(socket, 'maestro-sess_stray')).toBe(false);
    for (const name of ['maestro-sess_theirs', 'users-own-work', 'maestro-untagged']) expect(await has(socket, name)).toBe(true);
  });

  it('could not check is not dead: a failing tmux ends nothing; a gone server ends everything as lost', async () => {
    cleanup = new Cleanup();
    const dir = tempDir(cleanup);
    const failing = join(dir, 'tmux-failing');
    // A tmux that fails the way an overloaded or broken server does.
    execFileSync('sh', [
      '-c',
      `printf '#!/bin/sh\\necho "server exited unexpectedly" >&2\\nexit 1\\n' > ${failing} && chmod +x ${failing}`,
    ]);
    let broken = false;
    const socketName = tmuxSocket(cleanup);
    const real = new TmuxSessionManager({ socket: socketName, owner: 'x' });
    const bad = new TmuxSessionManager({ socket: socketName, owner: 'x', tmuxBin: failing });
    // One runtime whose probe fails while `broken` is set; everything else is the real tmux.
    const flaky = Object.assign(Object.create(real) as TmuxSessionManager, {
      probe: () => (broken ? bad.probe() : real.probe()),
    });
    const { m, spawn } = await setup(cleanup, { runtime: flaky });
    const a = await spawn(['sleep', '300']);
    const b = await spawn(['sleep', '300']);

    broken = true;
    const unchecked = await m.reconciler.reconcile();
    expect(unchecked).toMatchObject({ checked: false, ended: [], orphansKilled: [] });
    expect(unchecked.error).toContain('server exited unexpectedly');
    expect((await m.services.sessions.list({ active: true })).sessions).toHaveLength(2);
    const metrics = await m.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toContain('maestro_reconcile_unchecked_total 1');
    expect((await m.app.inject({ method: 'GET', url: '/api/health' })).json().runtime.lastReconcile).toMatchObject({
      checked: false,
    });

    broken = false;
    await real.killServer();
    // While the server shuts down, tmux answers with errors ("could not check"); then "no server".
    await until(async () => (await real.probe()).ok, 5000, 'the tmux server to be gone');
    const report = await m.reconciler.reconcile();
    expect(report.checked).toBe(true);
    expect(report.ended.map((e) => e.sessionId).sort()).toEqual([a.id, b.id].sort());
    expect(report.ended.every((e) => e.reason === 'lost')).toBe(true);
  });

  it('a server exiting after its last session answers an error for a moment: the probe asks again', async () => {
    cleanup = new Cleanup();
    const dir = tempDir(cleanup);
    const once = join(dir, 'tmux-fails-once');
    const marker = join(dir, 'failed');
    // The first call fails as an exiting server does; every later one is the real tmux.
    writeFileSync(
      once,
      `#!/bin/sh\nif [ ! -e '${marker}' ]; then : > '${marker}'; echo 'server exited unexpectedly' >&2; exit 1; fi\nexec tmux "$@"\n`,
      { mode: 0o755 },
    );
    const socket = tmuxSocket(cleanup);
    const real = new TmuxSessionManager({ socket, owner: 'o' });
    await real.start({ sessionId: 'sess_1', cwd: dir, command: ['sleep', '300'], env: {} });
    const probe = await new TmuxSessionManager({ socket, owner: 'o', tmuxBin: once }).probe();
    expect(probe.ok && [...probe.sessions.keys()]).toEqual(['maestro-sess_1']);
  });

  it('records the exit code of a command that tmux kept after it exited', async () => {
    cleanup = new Cleanup();
    const { m, spawn } = await setup(cleanup);
    const s = await spawn(['sh', '-c', 'echo bye; sleep 0.5; exit 7']);
    // The pass that sees the exit ends it: the command exits at once, tmux keeps the pane with its status.
    const report = await until(async () => {
      const r = await m.reconciler.reconcile();
      return r.ended.length > 0 ? r : undefined;
    });
    expect(report.ended).toEqual([{ sessionId: s.id, reason: 'terminal_closed', exitCode: 7 }]);
    const ended = await m.services.sessions.get(s.id);
    expect(ended.output).toContain('bye');
    const output = await m.app.inject({ method: 'GET', url: `/api/sessions/${s.id}/output?lines=5` });
    expect(output.json()).toMatchObject({ live: false });
    expect(output.json().lines).toContain('bye');
  });

  it('serves live output of a running session', async () => {
    cleanup = new Cleanup();
    const { m, spawn, socket } = await setup(cleanup);
    const s = await spawn(['sh', '-c', 'echo working on it; exec sleep 300']);
    const manager = new TmuxSessionManager({ socket, owner: await m.services.store.instanceId() });
    await until(
      async () => (await manager.capture(s.runtime.tmuxSession as string, 5)).includes('working on it'),
      5000,
      'output',
    );
    const res = await m.app.inject({ method: 'GET', url: `/api/sessions/${s.id}/output` });
    expect(res.json()).toEqual({ live: true, lines: ['working on it'] });
    expect((await m.app.inject({ method: 'GET', url: `/api/sessions/${s.id}/output?lines=0` })).statusCode).toBe(400);
  });

  it('kills the whole process group, even processes that ignore SIGHUP', async () => {
    cleanup = new Cleanup();
    const { m, spawn } = await setup(cleanup);
    const pidFile = join(m.dir, 'child.pid');
    const s = await spawn(['sh', '-c', `trap "" HUP; sleep 300 & echo $! > ${pidFile}; wait`]);
    const child = Number(
      await until(() => {
        try {
          return readFileSync(pidFile, 'utf8').trim();
        } catch {
          return '';
        }
      }),
    );
    expect(pidAlive(child)).toBe(true);
    await m.services.sessions.delete(s.id);
    await until(() => !pidAlive(child), 5000, 'the background child to die');
  });

  it('re-adopts running agents after the server is killed with SIGKILL and restarted', async () => {
    cleanup = new Cleanup();
    const dir = tempDir(cleanup);
    const socket = tmuxSocket(cleanup);
    const args = ['--port', '0', '--db', join(dir, 'maestro.db'), '--tmux-socket', socket];
    const first = await startServer(cleanup, args);
    const client = new MaestroClient({ baseUrl: first.url });
    const project = await client.projects.create({ name: 'crash', repoPath: dir });
    const agents: Session[] = [];
    for (let i = 0; i < 3; i++) agents.push(await client.sessions.spawn({ projectId: project.id, command: ['sleep', '300'] }));

    first.child.kill('SIGKILL');
    await first.exited;
    for (const a of agents) expect(await has(socket, a.runtime.tmuxSession as string)).toBe(true);

    const second = await startServer(cleanup, args);
    const adopted = await until(() => {
      const ids = second.logLines.filter((l) => l.includes('re-adopted')).map((l) => JSON.parse(l).sessionId);
      return ids.length === 3 ? ids : undefined;
    });
    expect(adopted.sort()).toEqual(agents.map((a) => a.id).sort());
    const again = new MaestroClient({ baseUrl: second.url });
    const { sessions } = await again.sessions.list({ active: true });
    expect(sessions.map((s) => s.id).sort()).toEqual(agents.map((a) => a.id).sort());
    for (const a of agents) expect(await has(socket, a.runtime.tmuxSession as string)).toBe(true);
  });
});
