import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MaestroClient } from '../src/client/index.js';
import { BIN, Cleanup, startServer, tempDir, tmuxSocket, until } from './helpers.js';

/** The tracker through the real CLI against a real server and real tmux (issue #22.4–7), off a terminal. */
describe('CLI: projects, tasks and lineage', () => {
  const cleanup = new Cleanup();
  let url: string;
  let dir: string;
  let client: MaestroClient;
  beforeAll(async () => {
    dir = tempDir(cleanup);
    ({ url } = await startServer(cleanup, ['--port', '0', '--db', `${dir}/m.db`, '--tmux-socket', tmuxSocket(cleanup)]));
    client = new MaestroClient({ baseUrl: url });
    await client.projects.create({ id: 'proj_web', name: 'web', repoPath: dir });
  });
  afterAll(() => cleanup.run());

  const maestro = (...args: string[]) =>
    execa(process.execPath, [BIN, '--url', url, ...args], {
      reject: false,
      stdin: 'ignore',
      // Off a terminal, as CI runs it; and never inside a session of the machine running the tests.
      env: { NO_COLOR: '1', MAESTRO_SESSION_ID: '' },
    });

  it('project update edits each field by name, and names the flag of a bad value', async () => {
    const edited = await maestro(
      'project',
      'update',
      'web',
      '--description',
      'the public site',
      '--priority',
      '-3',
      '--merge-strategy',
      'fast_forward',
      '--no-auto-task-status',
      '--agent',
      'claude',
      '--',
      '--model',
      'opus',
    );
    expect(edited.exitCode, edited.stderr).toBe(0);
    expect(edited.stdout).toMatch(/^description\s+the public site$/m);
    expect(edited.stdout).toMatch(/^merge\s+fast-forward when it can$/m);
    expect(edited.stdout).toMatch(/^task status\s+set by people only$/m);
    expect(await client.projects.get('proj_web')).toMatchObject({
      priority: -3,
      agentCommand: ['claude', '--model', 'opus'],
      mergeStrategy: 'fast_forward',
      autoTaskStatus: false,
    });
    expect((await maestro('project', 'update', 'web', '--no-agent', '--auto-task-status')).exitCode).toBe(0);
    expect(await client.projects.get('proj_web')).toMatchObject({ agentCommand: null, autoTaskStatus: true, priority: -3 });

    const missing = join(dir, 'nowhere');
    const bad = await maestro('project', 'update', 'web', '--repo', missing);
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr.trim()).toBe(`error: --repo: directory ${missing} does not exist`);
    const notNumber = await maestro('project', 'update', 'web', '--priority', 'high');
    expect(notNumber.exitCode).toBe(1);
    expect(notNumber.stderr).toContain('--priority: expected an integer, got "high"');
    expect((await client.projects.get('proj_web')).repoPath).toBe(dir);
  });

  it('task list draws subtasks under their parent within 100 columns; notes and status moves read as sentences', async () => {
    const create = (...args: string[]) => maestro('task', 'create', '-p', 'web', ...args);
    expect((await create('--title', 'Login page', '--priority', '5')).exitCode).toBe(0);
    expect((await create('--title', 'Form validation', '--parent', 'Login page')).exitCode).toBe(0);
    expect(
      (await create('--title', `OAuth with a very long title ${'that goes on '.repeat(8)}`, '--parent', 'Login page')).exitCode,
    ).toBe(0);
    expect((await create('--title', 'Unrelated')).exitCode).toBe(0);
    const listed = await maestro('task', 'list', '-p', 'web');
    expect(listed.exitCode, listed.stderr).toBe(0);
    const lines = listed.stdout.split('\n');
    expect(lines[0]).toMatch(/^ID\s+STATUS\s+PRI\s+TITLE\s+PROJECT\s+SESSIONS$/);
    expect(lines.slice(1).map((l) => l.replace(/^\S+\s+/, ''))).toEqual([
      expect.stringMatching(/^todo\s+5\s+Login page\s+web\s+0$/),
      expect.stringMatching(/^todo\s+0\s+├─ OAuth with a very long title .*…\s+web\s+0$/),
      expect.stringMatching(/^todo\s+0\s+└─ Form validation\s+web\s+0$/),
      expect.stringMatching(/^todo\s+0\s+Unrelated\s+web\s+0$/),
    ]);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(100);
    const children = await maestro('task', 'children', 'Login page');
    expect(children.stdout.split('\n')).toHaveLength(3);

    expect((await maestro('task', 'note', 'Login page', 'asked', 'for', 'tests')).exitCode).toBe(0);
    expect((await maestro('task', 'update', 'Login page', '-s', 'blocked')).exitCode).toBe(0);
    const shown = await maestro('task', 'get', 'Login page');
    expect(shown.stdout).toMatch(/^status\s+blocked \(set by person\)$/m);
    expect(shown.stdout).toMatch(/^project\s+web \(proj_web\)$/m);
    expect(shown.stdout).toMatch(/^ {2}\d{4}-\d\d-\d\d \d\d:\d\d:\d\d {2}note: asked for tests$/m);
    expect(shown.stdout).toMatch(/ {2}status todo → blocked \(by person\)$/m);

    const cycle = await maestro('task', 'update', 'Login page', '--parent', 'Form validation');
    expect(cycle.exitCode).toBe(1);
    expect(cycle.stderr).toContain('error: --parent: task');
    expect(cycle.stderr).toContain('a subtask of this task');
  });

  it('session end records a stop with its note; spawning from inside a session makes a child, drawn as a tree', async () => {
    // The parent runs `maestro session spawn` itself, as an orchestrating agent would: it finds the
    // server in MAESTRO_URL and itself in MAESTRO_SESSION_ID, both set by Maestro.
    const parent = await client.sessions.spawn({
      projectId: 'proj_web',
      name: 'conductor',
      role: 'orchestrator',
      command: [
        'sh',
        '-c',
        `"${process.execPath}" "${BIN}" session spawn -p web -n player -- sleep 300 > spawned.txt 2>&1; exec sleep 300`,
      ],
      cwd: dir,
    });
    const child = await until(
      async () => (await client.sessions.list({ parentSessionId: parent.id })).sessions[0],
      30_000,
      'the session spawned from inside',
    );
    // A summary leaves a worker's role out: worker is the default.
    expect(child).toMatchObject({ name: 'player', parentSessionId: parent.id });
    expect(child.role).toBeUndefined();

    const tree = await maestro('session', 'list', '--tree', '-p', 'web');
    expect(tree.exitCode, tree.stderr).toBe(0);
    const names = tree.stdout.split('\n').map((l) => l.split(/\s{2,}/)[1]);
    expect(names.indexOf('└─ player')).toBe(names.indexOf('conductor') + 1);
    const got = await maestro('session', 'get', 'player');
    expect(got.stdout).toMatch(new RegExp(`^started by\\s+${parent.id}$`, 'm'));

    const ended = await maestro('session', 'end', 'player', '--note', 'wrong approach');
    expect(ended.exitCode, ended.stderr).toBe(0);
    expect(ended.stdout).toMatch(/^ended\s+\S+: stopped$/m);
    expect(ended.stdout).toMatch(/^note\s+wrong approach$/m);
    expect(await client.sessions.get(child.id)).toMatchObject({
      status: 'completed',
      endReason: 'stopped',
      endNote: 'wrong approach',
    });
    await client.sessions.end(parent.id);
  });
});
