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

describe('maestro hooks install --orchestrator (issue #25.3)', () => {
  const cleanup = new Cleanup();
  afterAll(() => cleanup.run());

  it('registers maestro mcp beside the user’s own MCP servers, for Claude Code, Gemini CLI and Codex, and takes it back', async () => {
    const repo = tempDir(cleanup);
    writeFileSync(join(repo, '.mcp.json'), `${JSON.stringify({ mcpServers: { mine: { command: 'my-server' } } }, null, 2)}\n`);
    mkdirSync(join(repo, '.codex'));
    writeFileSync(join(repo, '.codex', 'config.toml'), 'model = "o3"\n');
    for (const agent of ['claude', 'gemini', 'codex'])
      for (let i = 0; i < 2; i++) {
        const run = await cli('hooks', 'install', agent, '--repo', repo, '--orchestrator');
        expect(run.exitCode, run.stderr).toBe(0);
        expect(run.stdout).toContain(`registered Maestro's MCP server for ${agent}`);
      }
    const claude = JSON.parse(readFileSync(join(repo, '.mcp.json'), 'utf8'));
    expect(claude.mcpServers).toEqual({ mine: { command: 'my-server' }, maestro: { command: 'maestro', args: ['mcp'] } });
    const gemini = JSON.parse(readFileSync(join(repo, '.gemini', 'settings.json'), 'utf8'));
    expect(gemini.mcpServers.maestro).toEqual({ command: 'maestro', args: ['mcp'] });
    const codex = readFileSync(join(repo, '.codex', 'config.toml'), 'utf8');
    expect(codex.match(/\[mcp_servers\.maestro\]/g)).toHaveLength(1);
    expect(codex).toContain('model = "o3"');
    expect(codex).toMatch(/^notify = \["maestro-hook", "codex"\]/m);

    for (const agent of ['claude', 'gemini', 'codex'])
      expect((await cli('hooks', 'uninstall', agent, '--repo', repo)).exitCode).toBe(0);
    expect(JSON.parse(readFileSync(join(repo, '.mcp.json'), 'utf8')).mcpServers).toEqual({ mine: { command: 'my-server' } });
    expect(existsSync(join(repo, '.gemini', 'settings.json'))).toBe(false);
    expect(readFileSync(join(repo, '.codex', 'config.toml'), 'utf8')).toBe('model = "o3"\n');
    const aider = await cli('hooks', 'install', 'aider', '--repo', repo, '--orchestrator');
    expect(aider.exitCode).toBe(1);
    expect(aider.stderr).toContain('aider speaks no MCP');
  });
});
