import { stripVTControlCharacters } from 'node:util';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MaestroClient } from '../src/client/index.js';
import type { Session, SessionSummary } from '../src/domain/index.js';
import { BIN, Cleanup, startServer, tempDir, tmuxSocket, until } from './helpers.js';

/** What `maestro session list` and `session get` show a person (issue #22.2), from the real `maestro` in a pipe. */
describe('CLI looks', () => {
  const cleanup = new Cleanup();
  const PROJECT = 'customer-facing-web-frontend-with-a-very-long-project-name';
  let url: string;
  let client: MaestroClient;
  let waiting: Session;
  let unnamed: Session;
  beforeAll(async () => {
    const dir = tempDir(cleanup);
    ({ url } = await startServer(cleanup, ['--port', '0', '--db', `${dir}/m.db`, '--tmux-socket', tmuxSocket(cleanup)]));
    client = new MaestroClient({ baseUrl: url });
    await client.projects.create({ id: 'proj_looks', name: PROJECT, repoPath: dir });
    unnamed = await client.sessions.create({ projectId: 'proj_looks' });
    waiting = await client.sessions.create({
      projectId: 'proj_looks',
      name: 'implement-the-login-page-with-oauth-and-two-factor-authentication',
    });
    await client.sessions.needsInput(waiting.id, { reason: 'question', message: 'which database?' });
  });
  afterAll(() => cleanup.run());

  /** `maestro ARGS…` into a pipe, with the colour variables as given (none by default). */
  const maestro = (args: string[], env: Record<string, string | undefined> = {}) =>
    execa(process.execPath, [BIN, '--url', url, ...args], {
      reject: false,
      stdin: 'ignore',
      env: { FORCE_COLOR: undefined, NO_COLOR: undefined, ...env },
    });

  it('lists sessions within 100 columns in a pipe, by project name, without colour', async () => {
    const { stdout, exitCode } = await maestro(['session', 'list']);
    expect(exitCode).toBe(0);
    const lines = stdout.split('\n');
    expect(lines[0]).toMatch(/^STATE\s+NAME\s+PROJECT\s+STATUS\s+ACTIVITY\s+ENDED$/);
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(100);
    expect(lines[1]).toMatch(/^waiting: question\s+implement-the-login-\S*…\s+customer-\S*…\s+initializing\s+\d+s ago\s+-$/);
    // The session named by its id shows the start of it, which `session get` takes back.
    const short = lines[2]?.match(/^-\s+(\S+)\s+customer-/)?.[1] ?? '';
    expect(short.length).toBeGreaterThanOrEqual(8);
    expect(unnamed.id.startsWith(`sess_${short}`)).toBe(true);
    expect(stdout).not.toContain('proj_looks');
    expect(stdout).not.toContain('\x1b[');
    const got = await maestro(['-o', 'json', 'session', 'get', short]);
    expect(JSON.parse(got.stdout).id).toBe(unnamed.id);
  });

  it('--watch draws the same layout, a block per change in a pipe', async () => {
    const watcher = execa(process.execPath, [BIN, '--url', url, 'session', 'list', '--watch'], {
      reject: false,
      env: { FORCE_COLOR: undefined, NO_COLOR: undefined },
    });
    cleanup.add(async () => {
      watcher.kill('SIGKILL');
      await watcher;
    });
    let out = '';
    watcher.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    await until(() => out.includes('\n\n'), 30_000, 'the first drawing');
    watcher.kill('SIGINT');
    expect((await watcher).exitCode).toBe(0);
    // The same as `session list` prints, but for the ages, which may have moved on meanwhile.
    const age = (text: string) => text.replace(/\d+[smhd] ago +/g, 'AGE ');
    expect(age(out.split('\n\n')[0] as string)).toBe(age((await maestro(['session', 'list'])).stdout));
  });

  it('--wide shows every column in full: ids, the whole name and project name', async () => {
    const { stdout } = await maestro(['session', 'list', '--wide']);
    expect(stdout.split('\n')[0]).toMatch(
      /^STATE\s+ID\s+NAME\s+PROJECT\s+STATUS\s+PHASE\s+ROLE\s+PARENT\s+AGENT\s+TASKS\s+BRANCH\s+HOST\s+CREATED/,
    );
    expect(stdout).toContain(`${waiting.id}  implement-the-login-page-with-oauth-and-two-factor-authentication  ${PROJECT}`);
    expect(stdout).toContain(unnamed.id);
    expect(stdout).not.toContain('…');
  });

  it('colours the states with FORCE_COLOR, and not with NO_COLOR', async () => {
    const forced = await maestro(['session', 'list'], { FORCE_COLOR: '1' });
    expect(forced.stdout).toContain('\x1b[1;33mwaiting: question\x1b[0m');
    expect(Math.max(...forced.stdout.split('\n').map((l) => stripVTControlCharacters(l).length))).toBeLessThanOrEqual(100);
    const plain = await maestro(['session', 'list'], { NO_COLOR: '1' });
    expect(plain.stdout).not.toContain('\x1b[');
  });

  it('prints with -o json what the API gives: summaries, and full sessions with --wide', async () => {
    const { stdout } = await maestro(['-o', 'json', 'session', 'list']);
    const listed = JSON.parse(stdout) as SessionSummary[];
    expect(listed.map((s) => s.id)).toEqual([waiting.id, unnamed.id]);
    expect(listed[0]).toMatchObject({ projectId: 'proj_looks', agentState: 'waiting', waitingReason: 'question' });
    const full = JSON.parse((await maestro(['-o', 'json', 'session', 'list', '--wide'])).stdout) as Session[];
    expect(full[0]).toMatchObject({ projectId: 'proj_looks', waitingFor: { message: 'which database?' } });
    expect(full[0]).not.toHaveProperty('output');
  });

  it('completion: prints a script per shell, says how to install it, and names the shells it knows', async () => {
    const bash = await maestro(['completion', 'bash']);
    expect(bash.exitCode).toBe(0);
    expect(bash.stdout).toMatch(/^# bash completion for maestro/);
    const help = await maestro(['completion', '--help']);
    expect(help.stdout).toContain('source <(maestro completion bash)');
    expect(help.stdout).toContain('maestro completion fish > ~/.config/fish/completions/maestro.fish');
    const unknown = await maestro(['completion', 'tcsh']);
    expect(unknown.exitCode).toBe(1);
    expect(unknown.stderr).toContain("argument 'shell'. Allowed choices are bash, zsh, fish.");
    expect((await maestro(['--help'])).stdout).not.toContain('__complete');
  });

  it('completion: Tab offers the names of sessions and projects from the server', async () => {
    expect((await maestro(['__complete', 'session'])).stdout.split('\n')).toEqual([waiting.name, unnamed.id]);
    expect((await maestro(['__complete', 'project'])).stdout.trim()).toBe(PROJECT);
    // Unreachable server: no names, no noise, and Tab goes on.
    const down = await execa(process.execPath, [BIN, '--url', 'http://127.0.0.1:9', '__complete', 'session'], { reject: false });
    expect(down).toMatchObject({ exitCode: 0, stdout: '', stderr: '' });
    // bash, as it completes `maestro session get impl<Tab>` with the real maestro behind the script.
    const script = (await maestro(['completion', 'bash'])).stdout;
    const line = ['maestro', 'session', 'get', 'impl'];
    const completed = await execa(
      'bash',
      [
        '-c',
        `maestro() { "${process.execPath}" "${BIN}" --url "${url}" "$@"; }
${script}
COMP_WORDS=(${line.join(' ')}); COMP_CWORD=${line.length - 1}; _maestro; printf '%s\n' "\${COMPREPLY[@]}"`,
      ],
      { reject: false },
    );
    expect(completed.stdout.trim()).toBe(waiting.name);
  });

  it('session get names the project next to its id', async () => {
    const { stdout } = await maestro(['session', 'get', waiting.id]);
    expect(stdout).toMatch(new RegExp(`^project +${PROJECT} \\(proj_looks\\)$`, 'm'));
    expect(stdout).toMatch(/^waiting for +which database\?$/m);
  });
});
