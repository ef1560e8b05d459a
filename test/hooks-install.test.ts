import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { claudeHooks } from '../src/cli/hook-commands.js';
import { BIN, Cleanup, tempDir } from './helpers.js';

describe('maestro hooks install claude', () => {
  const cleanup = new Cleanup();
  afterAll(() => cleanup.run());

  it('maps Claude Code events to Maestro hooks', () => {
    const hooks = claudeHooks('maestro') as Record<string, { hooks: { command: string }[] }[]>;
    const command = (event: string) => hooks[event]?.[0]?.hooks[0]?.command;
    expect(command('PreToolUse')).toBe('maestro hook activity');
    expect(command('PostToolUse')).toBe('maestro hook activity');
    expect(command('SubagentStop')).toBe('maestro hook activity');
    expect(command('Notification')).toBe('maestro hook needs-input --reason permission --stdin-json');
    expect(command('Stop')).toBe('maestro hook needs-input --reason idle_prompt --stdin-json');
    expect(command('UserPromptSubmit')).toBe('maestro hook input-given');
  });

  it('writes .claude/settings.json, keeping the user’s settings and hooks, and is safe to run twice', async () => {
    const repo = tempDir(cleanup);
    mkdirSync(join(repo, '.claude'));
    const own = { matcher: 'Bash', hooks: [{ type: 'command', command: './scripts/lint.sh' }] };
    writeFileSync(join(repo, '.claude', 'settings.json'), JSON.stringify({ model: 'opus', hooks: { PreToolUse: [own] } }));
    for (let i = 0; i < 2; i++) {
      const run = await execa(process.execPath, [BIN, 'hooks', 'install', 'claude', '--repo', repo], { reject: false });
      expect(run.exitCode).toBe(0);
    }
    const settings = JSON.parse(readFileSync(join(repo, '.claude', 'settings.json'), 'utf8'));
    expect(settings.model).toBe('opus');
    expect(settings.hooks.PreToolUse).toHaveLength(2);
    expect(settings.hooks.PreToolUse[0]).toEqual(own);
    // The command quotes paths only where a shell needs it.
    expect(settings.hooks.PreToolUse[1].hooks[0].command).toMatch(/bin\/maestro\.js'? hook activity$/);
    expect(settings.hooks.Notification).toHaveLength(1);
    const unknown = await execa(process.execPath, [BIN, 'hooks', 'install', 'vim', '--repo', repo], { reject: false });
    expect(unknown.exitCode).toBe(1);
    expect(unknown.stderr).toContain('unknown agent "vim"');
  });
});
