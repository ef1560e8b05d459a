import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { MaestroClient } from '../src/client/index.js';
import { BIN, Cleanup, startServer, tempDir, testMaestro, tmuxSocket, until } from './helpers.js';

/** The scheduler state of a process (`/proc/<pid>/stat`, field 3): `T` when stopped, `S` or `R` when not; undefined once gone. */
function procState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  } catch {
    return undefined;
  }
}

/** The command's process: the only child of the pane's `sh` leader (its pid is the session's). */
async function commandPid(leader: number): Promise<number> {
  return until(async () => Number((await execa('pgrep', ['-P', String(leader)], { reject: false })).stdout.trim()) || 0, 5000);
}

const TIMEOUT_SECS = 600;

describe('pause pauses (issue #19.4), real tmux', () => {
  let cleanup: Cleanup;
  afterEach(() => cleanup.run());

  it('stops the agent’s processes while paused, continues them after; the CLI says so', async () => {
    cleanup = new Cleanup();
    const m = await testMaestro(cleanup);
    await m.services.projects.create({ id: 'proj_pause', name: 'pause', repoPath: m.dir });
    const s = await m.services.sessions.spawn({ projectId: 'proj_pause', command: ['sleep', '300'] });
    const pid = await commandPid(s.runtime.pid as number);
    await until(() => procState(pid) === 'S', 5000, 'sleep to run');

    await m.services.sessions.transition(s.id, { status: 'paused' });
    await until(() => procState(pid) === 'T', 5000, 'the process to stop');
    const url = await m.listen();
    const shown = await execa(process.execPath, [BIN, '--url', url, 'session', 'get', s.id]);
    expect(shown.stdout).toMatch(/status\s+paused \(process stopped\)/);

    await m.services.sessions.transition(s.id, { status: 'planning' });
    await until(() => procState(pid) === 'S', 5000, 'the process to go on');

    // Ending a paused session still ends its processes (continued so that SIGTERM acts).
    await m.services.sessions.transition(s.id, { status: 'paused' });
    await until(() => procState(pid) === 'T', 5000);
    await m.services.sessions.end(s.id, 'killed');
    await until(() => procState(pid) === undefined || procState(pid) === 'Z', 5000, 'the paused process to die');
  });

  it('a paused session is not timed out, unless SESSION_PAUSED_TIMEOUT_SECS says so', async () => {
    cleanup = new Cleanup();
    const never = await testMaestro(cleanup, { sessionTimeoutSecs: TIMEOUT_SECS });
    await never.services.projects.create({ id: 'proj_p1', name: 'p1', repoPath: never.dir });
    const paused = await never.services.sessions.create({ projectId: 'proj_p1' });
    await never.services.sessions.transition(paused.id, { status: 'paused' });
    const idle = await never.services.sessions.create({ projectId: 'proj_p1' });
    never.clock.advance(10 * TIMEOUT_SECS * 1000);
    expect((await never.sweeper.sweep()).timedOut).toBe(1);
    expect((await never.services.sessions.get(idle.id)).endReason).toBe('timed_out');
    expect((await never.services.sessions.get(paused.id)).status).toBe('paused');
    expect((await never.services.sessions.get(paused.id)).completedAt).toBeNull();

    const bounded = await testMaestro(cleanup, { sessionTimeoutSecs: TIMEOUT_SECS, sessionPausedTimeoutSecs: 3 * TIMEOUT_SECS });
    await bounded.services.projects.create({ id: 'proj_p2', name: 'p2', repoPath: bounded.dir });
    const held = await bounded.services.sessions.create({ projectId: 'proj_p2' });
    await bounded.services.sessions.transition(held.id, { status: 'paused' });
    bounded.clock.advance(3 * TIMEOUT_SECS * 1000);
    expect((await bounded.services.sessions.get(held.id)).completedAt).toBeNull();
    bounded.clock.advance(1);
    expect((await bounded.services.sessions.get(held.id)).endReason).toBe('timed_out');
  });

  it('survives a restart of Maestro still paused, its process still stopped', async () => {
    cleanup = new Cleanup();
    const dir = tempDir(cleanup);
    const args = ['--port', '0', '--db', join(dir, 'm.db'), '--tmux-socket', tmuxSocket(cleanup)];
    const first = await startServer(cleanup, args);
    const client = new MaestroClient({ baseUrl: first.url });
    const project = await client.projects.create({ name: 'restart', repoPath: dir });
    const s = await client.sessions.spawn({ projectId: project.id, command: ['sleep', '300'] });
    await client.sessions.transition(s.id, { status: 'paused' });
    const pid = await commandPid(s.runtime.pid as number);
    await until(() => procState(pid) === 'T', 5000);
    first.child.kill('SIGKILL');
    await first.exited;
    const second = await startServer(cleanup, args);
    const again = new MaestroClient({ baseUrl: second.url });
    // A reconcile pass or two later, it is still there, still paused, still stopped.
    await until(async () => (await again.health()).runtime.lastReconcile !== null, 10_000, 'a reconcile pass');
    expect(await again.sessions.get(s.id)).toMatchObject({ status: 'paused', completedAt: null });
    expect(procState(pid)).toBe('T');
  });
});
