import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { MaestroClient, type WebSocketConstructor } from '../src/client/index.js';
import type { MaestroEvent, Session } from '../src/domain/index.js';
import { BIN, Cleanup, gitRepo, startServer, tempDir, tmuxSocket, until } from './helpers.js';

const tmuxHas = (socket: string, name: string) =>
  execa('tmux', ['-L', socket, 'has-session', '-t', `=${name}`], { reject: false }).then((r) => r.exitCode === 0);

/**
 * One server for the file; each test sets up what it needs (the project `proj_e2e` comes with the
 * server) and asserts on its own sessions and on changes it made, so any test runs alone or in any
 * order (`vitest --sequence.shuffle`).
 */
describe('end to end: maestro serve, real tmux, real commands', () => {
  const cleanup = new Cleanup();
  let socket: string;
  let repo: string;
  let url: string;
  let server: Awaited<ReturnType<typeof startServer>>;
  let client: MaestroClient;
  const events: MaestroEvent[] = [];

  beforeAll(async () => {
    const dir = tempDir(cleanup);
    repo = gitRepo(join(dir, 'repo'));
    socket = tmuxSocket(cleanup);
    server = await startServer(cleanup, ['--port', '0', '--db', join(dir, 'maestro.db'), '--tmux-socket', socket]);
    url = server.url;
    client = new MaestroClient({ baseUrl: url, WebSocket: WebSocket as unknown as WebSocketConstructor });
    const handle = client.watch(0, { onEvent: (e) => events.push(e) });
    cleanup.add(() => handle.close());
    await client.projects.create({ id: 'proj_e2e', name: 'e2e', repoPath: repo });
  });
  afterAll(() => cleanup.run());

  it('spawns a real command from the CLI, notices its exit, ends the session and delivers the events', async () => {
    const project = { id: 'proj_e2e' };
    const task = await client.tasks.create({ projectId: project.id, title: 'say hello' });
    const cli = await execa(
      process.execPath,
      [
        BIN,
        '--url',
        url,
        '-o',
        'json',
        'session',
        'spawn',
        '-p',
        project.id,
        '-t',
        task.id,
        '-n',
        'greeter',
        '--',
        'sh',
        '-c',
        'echo "agent says hi to $MAESTRO_URL"; echo "id=$MAESTRO_SESSION_ID"; sleep 0.5; exit 3',
      ],
      { reject: false },
    );
    expect(cli.stderr).toBe('');
    expect(cli.exitCode).toBe(0);
    const spawned = JSON.parse(cli.stdout) as Session;
    expect(spawned).toMatchObject({
      status: 'initializing',
      runtime: { kind: 'tmux', tmuxSession: `maestro-${spawned.id}` },
      taskIds: [task.id],
    });
    expect(spawned.gitContext).toMatchObject({ branch: 'main', repoRoot: repo, isWorktree: false });
    expect(spawned.gitContext.commit).toMatch(/^[0-9a-f]{40}$/);

    const ended = await until(async () => {
      const s = await client.sessions.get(spawned.id);
      return s.completedAt ? s : undefined;
    });
    expect(ended).toMatchObject({ status: 'failed', endReason: 'terminal_closed', runtime: { exitCode: 3 } });
    expect(ended.output).toContain(`agent says hi to ${url}`);
    expect(ended.output).toContain(`id=${spawned.id}`);
    // The record is committed first, then the tmux session is killed (docs/design.md §Ending a session).
    await until(async () => !(await tmuxHas(socket, `maestro-${spawned.id}`)), 5000, 'tmux session gone');

    await until(() => events.some((e) => e.type === 'session:ended' && e.data.id === spawned.id), 5000, 'session:ended event');
    const mine = events.filter((e) => e.data.id === spawned.id || e.data.sessionId === spawned.id).map((e) => e.type);
    // Its output made its agent `working` (once: never repeated), at a moment of its own.
    expect(mine.filter((type) => type === 'session:agent_state')).toHaveLength(1);
    expect(mine.filter((type) => type !== 'session:agent_state')).toEqual([
      'session:created',
      'session:task_added',
      'task:session_added',
      'session:updated',
      'session:ended',
    ]);
    const timeline = await client.tasks.timeline(task.id);
    // Its session started the task (in_progress); exit 3 is no sign the work is done: no review.
    expect(timeline.map((e) => e.type)).toEqual(['created', 'session_started', 'status_changed', 'session_ended']);
  });

  it('a command that exits 0 ends the session completed', async () => {
    const s = await client.sessions.spawn({ projectId: 'proj_e2e', command: ['true'] });
    const ended = await until(async () => {
      const current = await client.sessions.get(s.id);
      return current.completedAt ? current : undefined;
    });
    expect(ended).toMatchObject({ status: 'completed', endReason: 'terminal_closed', runtime: { exitCode: 0 } });
  });

  it('deleting a running session kills its tmux session and cleans the task both ways', async () => {
    const task = await client.tasks.create({ projectId: 'proj_e2e', title: 'long job' });
    const s = await client.sessions.spawn({ projectId: 'proj_e2e', taskId: task.id, command: ['sleep', '300'] });
    const name = `maestro-${s.id}`;
    expect(await tmuxHas(socket, name)).toBe(true);
    expect((await client.tasks.get(task.id)).sessionIds).toEqual([s.id]);

    await client.sessions.delete(s.id);
    expect(await tmuxHas(socket, name)).toBe(false);
    expect((await client.tasks.get(task.id)).sessionIds).toEqual([]);
    await until(() => events.some((e) => e.type === 'session:deleted' && e.data.id === s.id), 5000, 'session:deleted event');
  });

  it('an agent reports that it needs input with `maestro hook`, and it reaches the event stream', async () => {
    // The agent (here a shell script of the test's own) calls the hook with the environment Maestro gave it.
    const script = '"$0" "$1" hook needs-input --reason permission --message "May I run the migrations?"; exec sleep 300';
    const s = await client.sessions.spawn({ projectId: 'proj_e2e', command: ['sh', '-c', script, process.execPath, BIN] });
    const event = await until(
      () => events.find((e) => e.type === 'session:agent_state' && e.data.id === s.id && e.data.to === 'waiting'),
      20_000,
      'agent_state event (waiting)',
    );
    expect(event.type === 'session:agent_state' && event.data.waitingFor).toEqual({
      reason: 'permission',
      message: 'May I run the migrations?',
    });
    expect((await client.sessions.get(s.id)).agentState).toBe('waiting');
    const given = await execa(process.execPath, [BIN, 'hook', 'input-given'], {
      env: { MAESTRO_SESSION_ID: s.id, MAESTRO_URL: url },
      reject: false,
    });
    expect(given.exitCode).toBe(0);
    expect(await client.sessions.get(s.id)).toMatchObject({ agentState: 'working', waitingFor: null });
    await until(
      () => events.some((e) => e.type === 'session:agent_state' && e.data.id === s.id && e.data.from === 'waiting'),
      5000,
      'agent_state event (working)',
    );
    const outside = await execa(process.execPath, [BIN, 'hook', 'activity'], { env: { MAESTRO_SESSION_ID: '' }, reject: false });
    expect(outside.exitCode).toBe(0);
    expect(outside.stderr).toContain('not running under Maestro');
    await client.sessions.delete(s.id);
  });

  it('maestro metrics and maestro cleanup --dry-run talk to the server', async () => {
    const cli = (...args: string[]) => execa(process.execPath, [BIN, '--url', url, ...args], { reject: false });
    const endedTotal = (text: string, reason: string) =>
      Number(
        text
          .split('\n')
          .find((l) => l.startsWith(`maestro_sessions_ended_total{reason="${reason}"} `))
          ?.split(' ')[1] ?? 0,
      );
    // What this test changes, measured against the counts before it: whatever ran first.
    const before = await client.health();
    const promBefore = await (await fetch(`${url}/metrics`)).text();
    const s = await client.sessions.create({ projectId: 'proj_e2e', name: 'measured' });
    await client.sessions.end(s.id, { reason: 'completed' });

    const metrics = await cli('-o', 'json', 'metrics');
    expect(metrics.exitCode).toBe(0);
    const health = JSON.parse(metrics.stdout);
    expect(health.sessions).toMatchObject({
      total: before.sessions.total + 1,
      active: before.sessions.active,
      byStatus: { ...before.sessions.byStatus, completed: (before.sessions.byStatus.completed ?? 0) + 1 },
    });
    const prometheus = await cli('metrics', '--prometheus');
    expect(endedTotal(prometheus.stdout, 'completed')).toBe(endedTotal(promBefore, 'completed') + 1);
    const dry = await cli('-o', 'json', 'cleanup', '--dry-run');
    expect(JSON.parse(dry.stdout)).toMatchObject({ dryRun: true, timedOut: 0, purged: 0 });
    const pretty = await cli('cleanup');
    expect(pretty.stdout).toContain('timed out: 0');
    const bad = await cli('session', 'get', 'sess_missing');
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toContain('error (404 not_found): session sess_missing not found');
    // Five CLI processes, each compiling the sources through tsx: slow when the machine is busy.
  }, 90_000);

  it('maestro events follows the stream while the CLI edits tasks, sessions and their links', async () => {
    const cli = async (...args: string[]) => {
      const r = await execa(process.execPath, [BIN, '--url', url, '-o', 'json', ...args], { reject: false });
      if (r.exitCode !== 0) throw new Error(`maestro ${args.join(' ')}: ${r.stderr}`);
      return r.stdout ? JSON.parse(r.stdout) : undefined;
    };
    const follower = execa(process.execPath, [BIN, '--url', url, '-o', 'json', 'events', '-t', 'task:', '-t', 'session:'], {
      reject: false,
    });
    cleanup.add(async () => {
      follower.kill('SIGKILL');
      await follower;
    });
    const followed: MaestroEvent[] = [];
    const seen = (check: (e: MaestroEvent) => boolean) => until(() => followed.find(check), 30_000, 'the followed event');
    createInterface({ input: follower.stdout as NodeJS.ReadableStream }).on('line', (line) => followed.push(JSON.parse(line)));
    await new Promise<void>((resolve) =>
      follower.stderr?.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('following events after')) resolve();
      }),
    );

    const task = await cli('task', 'create', '-p', 'proj_e2e', '--title', 'edited from the CLI');
    expect((await cli('task', 'update', task.id, '-s', 'in_progress')).status).toBe('in_progress');
    const session = await cli('session', 'create', '-p', 'proj_e2e');
    expect((await cli('session', 'link', session.id, task.id)).taskIds).toEqual([task.id]);
    const renamed = await cli('session', 'update', session.id, '--name', 'renamed', '--phase', 'plan', '--version', '2');
    expect(renamed).toMatchObject({ name: 'renamed', phase: 'plan', version: 3 });
    const stale = await execa(
      process.execPath,
      [BIN, '--url', url, 'session', 'update', session.id, '--name', 'x', '--version', '2'],
      {
        reject: false,
      },
    );
    expect(stale.exitCode).toBe(1);
    expect(stale.stderr).toContain('error (409 conflict)');
    expect((await cli('session', 'unlink', session.id, task.id)).taskIds).toEqual([]);
    await cli('task', 'delete', task.id, '--yes');
    expect((await cli('project', 'get', 'proj_e2e')).name).toBe('e2e');
    await client.projects.create({ id: 'proj_short', name: 'short-lived', repoPath: repo });
    await client.tasks.create({ projectId: 'proj_short', title: 'goes with it' });
    expect(await cli('project', 'delete', 'proj_short', '--yes')).toEqual({ id: 'proj_short', sessions: 0, killed: 0, tasks: 1 });

    await seen((e) => e.type === 'task:deleted' && e.data.id === task.id);
    const ours = followed.filter((e) =>
      [e.data.id, e.data.taskId, e.data.sessionId].some((v) => v === task.id || v === session.id),
    );
    expect(ours.map((e) => e.type)).toEqual([
      'task:created',
      'task:updated',
      'session:created',
      'session:task_added',
      'task:session_added',
      'session:updated', // the link, a write, counts as activity
      'session:updated', // the rename
      'session:task_removed',
      'task:session_removed',
      'session:updated',
      'task:deleted',
    ]);
    expect(followed.every((e) => e.type.startsWith('task:') || e.type.startsWith('session:'))).toBe(true);
    expect(followed.map((e) => e.seq)).toEqual([...followed.map((e) => e.seq)].sort((a, b) => a - b));
    follower.kill('SIGINT');
    expect((await follower).exitCode).toBe(0);
  }, 90_000);

  it('maestro session list --watch draws the list again after each change', async () => {
    const watcher = execa(process.execPath, [BIN, '--url', url, '-o', 'json', 'session', 'list', '--watch', '-p', 'proj_e2e'], {
      reject: false,
    });
    cleanup.add(async () => {
      watcher.kill('SIGKILL');
      await watcher;
    });
    const lists: Session[][] = [];
    createInterface({ input: watcher.stdout as NodeJS.ReadableStream }).on('line', (line) => lists.push(JSON.parse(line)));
    await until(() => lists.length >= 1, 30_000, 'the first list');
    const before = lists.length;
    const created = await client.sessions.create({ projectId: 'proj_e2e', name: 'watched' });
    const latest = () => lists.at(-1) ?? [];
    await until(() => lists.length > before && latest().some((s) => s.id === created.id), 30_000, 'a list with the new session');
    await client.sessions.end(created.id, { reason: 'completed' });
    await until(() => latest().find((s) => s.id === created.id)?.status === 'completed', 30_000, 'a list with it ended');
    watcher.kill('SIGINT');
    expect((await watcher).exitCode).toBe(0);
  }, 90_000);

  it('stops gracefully on SIGTERM', async () => {
    // A server of its own: the file's server serves the other tests, whatever their order.
    const dir = tempDir(cleanup);
    const own = await startServer(cleanup, [
      '--port',
      '0',
      '--db',
      join(dir, 'maestro.db'),
      '--tmux-socket',
      tmuxSocket(cleanup),
    ]);
    expect((await fetch(`${own.url}/api/health`)).status).toBe(200);
    own.child.kill('SIGTERM');
    expect(await own.exited).toBe(0);
  });
});
