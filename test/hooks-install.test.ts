import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, Cleanup, tempDir } from './helpers.js';

const cli = (...args: string[]) => execa(process.execPath, [BIN, '--url', 'http://127.0.0.1:7777', ...args], { reject: false });

/** A user's own settings, written the way they like (four spaces, a final newline), with a hook of their own. */
const USER_SETTINGS = `${JSON.stringify(
  { model: 'opus', hooks: { PreToolUse: [{ matcher: 'Bash', hooks: [{ type: 'command', command: './scripts/lint.sh' }] }] } },
  null,
  4,
)}\n`;

describe('maestro hooks install / uninstall claude (issue #20.2)', () => {
  const cleanup = new Cleanup();
  afterAll(() => cleanup.run());

  const repoWith = (file?: string) => {
    const repo = tempDir(cleanup);
    mkdirSync(join(repo, '.claude'));
    if (file) writeFileSync(join(repo, '.claude', file), USER_SETTINGS);
    return repo;
  };

  it('writes http hooks to this server into the personal settings.local.json, beside the user’s own, idempotently', async () => {
    const repo = repoWith('settings.local.json');
    for (let i = 0; i < 2; i++) expect((await cli('hooks', 'install', 'claude', '--repo', repo)).exitCode).toBe(0);
    const settings = JSON.parse(readFileSync(join(repo, '.claude', 'settings.local.json'), 'utf8'));
    expect(settings.model).toBe('opus');
    expect(settings.hooks.PreToolUse).toHaveLength(2);
    expect(settings.hooks.PreToolUse[0].hooks[0].command).toBe('./scripts/lint.sh');
    const hook = settings.hooks.PreToolUse[1].hooks[0];
    expect(hook).toMatchObject({
      type: 'http',
      url: 'http://127.0.0.1:7777/api/hooks/claude',
      headers: { 'x-maestro-session': '$MAESTRO_SESSION_ID', Authorization: 'Bearer $MAESTRO_TOKEN' },
      allowedEnvVars: ['MAESTRO_SESSION_ID', 'MAESTRO_TOKEN'],
    });
    expect(Object.keys(settings.hooks)).toContain('PermissionRequest');
    expect(existsSync(join(repo, '.claude', 'settings.json'))).toBe(false);
  });

  it('with --shared, writes async maestro-hook commands to settings.json: nothing of this machine in a committed file', async () => {
    const repo = repoWith();
    expect((await cli('hooks', 'install', 'claude', '--shared', '--repo', repo)).exitCode).toBe(0);
    const text = readFileSync(join(repo, '.claude', 'settings.json'), 'utf8');
    const settings = JSON.parse(text);
    expect(settings.hooks.Stop[0].hooks[0]).toEqual({ type: 'command', command: 'maestro-hook claude', async: true, timeout: 5 });
    expect(text).not.toContain(repo);
    expect(text).not.toContain('http://');
    expect(text).not.toContain(process.execPath);
  });

  it('uninstall leaves the user’s file byte-identical, and removes a file it made', async () => {
    const repo = repoWith('settings.local.json');
    const file = join(repo, '.claude', 'settings.local.json');
    await cli('hooks', 'install', 'claude', '--repo', repo);
    expect(readFileSync(file, 'utf8')).not.toBe(USER_SETTINGS);
    const removed = await cli('hooks', 'uninstall', 'claude', '--repo', repo);
    expect(removed.stdout).toContain('removed');
    expect(readFileSync(file, 'utf8')).toBe(USER_SETTINGS);
    expect((await cli('hooks', 'uninstall', 'claude', '--repo', repo)).stdout).toContain('no Maestro hooks');

    const fresh = repoWith();
    await cli('hooks', 'install', 'claude', '--shared', '--repo', fresh);
    await cli('hooks', 'uninstall', 'claude', '--shared', '--repo', fresh);
    expect(existsSync(join(fresh, '.claude', 'settings.json'))).toBe(false);
  });

  it('sets up Gemini CLI, aider and Codex in their own files, and takes exactly that back out', async () => {
    const repo = repoWith();
    const ownYaml = 'model: sonnet\nauto-commits: false\n';
    writeFileSync(join(repo, '.aider.conf.yml'), ownYaml);
    mkdirSync(join(repo, '.codex'));
    const ownToml = 'model = "gpt-5-codex"\n\n[tui]\nnotifications = true\n';
    writeFileSync(join(repo, '.codex', 'config.toml'), ownToml);
    for (const agent of ['gemini', 'aider', 'codex'])
      expect((await cli('hooks', 'install', agent, '--repo', repo)).exitCode, agent).toBe(0);

    const gemini = JSON.parse(readFileSync(join(repo, '.gemini', 'settings.json'), 'utf8'));
    expect(gemini.hooks.BeforeTool[0].hooks[0]).toEqual({ type: 'command', command: 'maestro-hook gemini', timeout: 5000 });
    expect(readFileSync(join(repo, '.aider.conf.yml'), 'utf8')).toMatch(
      /^model: sonnet\nauto-commits: false\nnotifications: true .*\nnotifications-command: maestro-hook aider /,
    );
    // A TOML top-level key goes before the first table.
    expect(readFileSync(join(repo, '.codex', 'config.toml'), 'utf8')).toMatch(
      /^notify = \["maestro-hook", "codex"\] .*\nmodel = "gpt-5-codex"\n\n\[tui\]/,
    );

    for (const agent of ['gemini', 'aider', 'codex'])
      expect((await cli('hooks', 'uninstall', agent, '--repo', repo)).stdout, agent).toContain('removed');
    expect(existsSync(join(repo, '.gemini', 'settings.json'))).toBe(false);
    expect(readFileSync(join(repo, '.aider.conf.yml'), 'utf8')).toBe(ownYaml);
    expect(readFileSync(join(repo, '.codex', 'config.toml'), 'utf8')).toBe(ownToml);
  });

  it('never overrides a setting the user made: aider’s own notifications command stays, and says so', async () => {
    const repo = repoWith();
    writeFileSync(join(repo, '.aider.conf.yml'), 'notifications-command: notify-send aider\n');
    const refused = await cli('hooks', 'install', 'aider', '--repo', repo);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain('already sets "notifications-command: notify-send aider"');
    expect(readFileSync(join(repo, '.aider.conf.yml'), 'utf8')).toBe('notifications-command: notify-send aider\n');
  });

  it('names the agents it knows, and a settings file that is not JSON, changing nothing', async () => {
    const repo = repoWith();
    const unknown = await cli('hooks', 'install', 'vim', '--repo', repo);
    expect(unknown.exitCode).toBe(1);
    expect(unknown.stderr).toContain('unknown agent "vim"');
    writeFileSync(join(repo, '.claude', 'settings.local.json'), '{ not json');
    const broken = await cli('hooks', 'install', 'claude', '--repo', repo);
    expect(broken.exitCode).toBe(1);
    expect(broken.stderr).toContain('is not JSON');
    expect(readFileSync(join(repo, '.claude', 'settings.local.json'), 'utf8')).toBe('{ not json');
  });
});
