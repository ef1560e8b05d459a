import { readFileSync } from 'node:fs';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MaestroClient } from '../src/client/index.js';
import { BIN, Cleanup, startServer, tempDir, tmuxSocket, until } from './helpers.js';

/** The CLI's manners (issue #22.3), run as a user would: a real server, the real `maestro`, no terminal. */
describe('CLI manners', () => {
  const cleanup = new Cleanup();
  let url: string;
  let client: MaestroClient;
  beforeAll(async () => {
    const dir = tempDir(cleanup);
    ({ url } = await startServer(cleanup, ['--port', '0', '--db', `${dir}/m.db`, '--tmux-socket', tmuxSocket(cleanup)]));
    client = new MaestroClient({ baseUrl: url });
    await client.projects.create({ id: 'proj_manners', name: 'manners', repoPath: dir });
  });
  afterAll(() => cleanup.run());

  const maestro = (...args: string[]) =>
    execa(process.execPath, [BIN, '--url', url, ...args], { reject: false, stdin: 'ignore' });

  it('prints its version', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    const answer = await execa(process.execPath, [BIN, '--version'], { reject: false });
    expect(answer.stdout.trim()).toBe(version);
    expect(answer.exitCode).toBe(0);
  });

  it('refuses a destructive command off a terminal without --yes, and changes nothing', async () => {
    for (const args of [
      ['project', 'delete', 'proj_manners'],
      ['queue', 'remove', 'proj_manners'],
    ]) {
      const refused = await maestro(...args);
      expect(refused.exitCode, args.join(' ')).toBe(1);
      expect(refused.stderr).toContain('refused: not on a terminal, pass --yes to confirm');
    }
    expect((await client.projects.get('proj_manners')).status).toBe('running');
    const task = await client.tasks.create({ projectId: 'proj_manners', title: 'short-lived' });
    expect((await maestro('task', 'delete', task.id)).exitCode).toBe(1);
    expect((await maestro('task', 'delete', task.id, '--yes')).exitCode).toBe(0);
    await expect(client.tasks.get(task.id)).rejects.toMatchObject({ status: 404 });
  });

  it('logs readable lines with --log-format pretty, and refuses an unknown format naming it', async () => {
    const dir = tempDir(cleanup);
    const server = execa(
      process.execPath,
      [BIN, 'serve', '--port', '0', '--db', `${dir}/pretty.db`, '--tmux-socket', tmuxSocket(cleanup), '--log-format', 'pretty'],
      { reject: false, stdin: 'ignore' },
    );
    cleanup.add(async () => {
      server.kill('SIGKILL');
      await server;
    });
    let out = '';
    server.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    await until(() => out.includes('maestro listening'), 20_000, 'the listening line');
    const line = out.split('\n').find((l) => l.includes('maestro listening')) as string;
    expect(line).toMatch(/^\S*\[?\d\d:\d\d:\d\d/); // a time first, not a JSON object
    expect(line.trim().startsWith('{')).toBe(false);

    const refused = await execa(process.execPath, [BIN, 'serve', '--port', '0', '--db', ':memory:', '--log-format', 'xml'], {
      reject: false,
      stdin: 'ignore',
    });
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain('MAESTRO_LOG_FORMAT (--log-format): expected auto, pretty, json, got "xml"');
  });

  it('takes a name or the start of an id wherever it takes an id, and lists the candidates when ambiguous', async () => {
    const one = await client.sessions.create({ projectId: 'proj_manners', name: 'login-agent' });
    const got = await maestro('-o', 'json', 'session', 'get', 'login-agent');
    expect(JSON.parse(got.stdout).id).toBe(one.id);
    const short = one.id.slice('sess_'.length, 'sess_'.length + 24);
    expect(JSON.parse((await maestro('-o', 'json', 'session', 'get', short)).stdout).id).toBe(one.id);
    expect(JSON.parse((await maestro('-o', 'json', 'project', 'get', 'manners')).stdout).id).toBe('proj_manners');
    const task = await client.tasks.create({ projectId: 'proj_manners', title: 'write docs' });
    const made = await maestro(
      '-o',
      'json',
      'session',
      'create',
      '--project',
      'manners',
      '--task',
      'write docs',
      '--name',
      'doc-agent',
    );
    expect(JSON.parse(made.stdout)).toMatchObject({ projectId: 'proj_manners', taskIds: [task.id] });

    await client.sessions.create({ projectId: 'proj_manners', name: 'login-agent' });
    const ambiguous = await maestro('session', 'get', 'login-agent');
    expect(ambiguous.exitCode).toBe(1);
    expect(ambiguous.stderr).toContain('"login-agent" names 2 sessions; say which:');
    expect(ambiguous.stderr).toContain(one.id);
    const none = await maestro('session', 'end', 'no-such-agent');
    expect(none.exitCode).toBe(1);
    expect(none.stderr.trim()).toBe('error: no session is named "no-such-agent" or has an id starting with it');
  });

  it('names a bad value by its flag, once', async () => {
    const answer = await maestro('session', 'spawn', '-p', 'proj_nope', '--', 'true');
    expect(answer.exitCode).toBe(1);
    expect(answer.stderr.trim()).toBe('error: --project: project proj_nope does not exist');
  });

  it('maestro events: the server filters by session and type; an unknown type is an error naming it, not endless reconnects', async () => {
    const bad = await maestro('events', '-t', 'session:nope');
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr.trim()).toBe(
      'error: --type: unknown event type "session:nope": expected an event type (e.g. session:ended) or a prefix glob (e.g. session:*)',
    );
    const watched = await client.sessions.create({ projectId: 'proj_manners', name: 'watched' });
    const other = await client.sessions.create({ projectId: 'proj_manners', name: 'other' });
    const follower = execa(
      process.execPath,
      [BIN, '--url', url, '-o', 'json', 'events', '--since', '0', '--session', 'watched', '-t', 'session:'],
      {
        reject: false,
      },
    );
    let out = '';
    follower.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    await client.sessions.update(other.id, { name: 'other, renamed' });
    await client.sessions.update(watched.id, { name: 'watched', phase: 'plan' });
    await until(() => out.split('\n').filter(Boolean).length >= 2, 15_000, 'the watched session’s two events');
    follower.kill('SIGINT');
    await follower;
    const events = out
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { type: string; data: { id: string } });
    expect(events.map((e) => [e.type, e.data.id])).toEqual([
      ['session:created', watched.id],
      ['session:updated', watched.id],
    ]);
  });

  it('ends quietly when its output pipe closes (`maestro events | head -1`)', async () => {
    const piped = execa('sh', ['-c', `"${process.execPath}" "${BIN}" --url "${url}" events --since 0 | head -1`], {
      reject: false,
      timeout: 20_000,
    });
    let out = '';
    piped.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    await until(() => out.includes('project:created'), 15_000, 'the first event');
    // head has exited: the next event makes `maestro events` write into the closed pipe.
    await client.tasks.create({ projectId: 'proj_manners', title: 'one more event' });
    const done = await piped;
    // Its status line ("following events…") is all it says: no EPIPE, no stack.
    expect(done.stderr).not.toMatch(/EPIPE|Error|at /);
    expect(done.exitCode).toBe(0);
  });
});
