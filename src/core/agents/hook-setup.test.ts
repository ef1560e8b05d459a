import { describe, expect, it } from 'vitest';
import { CLAUDE_HOOK_EVENTS, withHooks } from './hook-setup.js';

const target = { url: 'http://127.0.0.1:7420', hookProgram: ['/usr/bin/node', '/opt/maestro/bin/maestro-hook.js'] };

describe('hooks wired into a spawned agent’s command line (issue #20.2)', () => {
  it('gives Claude Code Maestro’s http hooks with --settings, for every event Maestro reads', () => {
    const command = withHooks('claude', ['claude', '-p', 'fix it'], target);
    expect(command.slice(0, 3)).toEqual(['claude', '-p', 'fix it']);
    expect(command[3]).toBe('--settings');
    const { hooks } = JSON.parse(command[4] as string);
    expect(Object.keys(hooks)).toEqual([...CLAUDE_HOOK_EVENTS]);
    expect(hooks.PreToolUse[0].hooks[0]).toMatchObject({ type: 'http', url: 'http://127.0.0.1:7420/api/hooks/claude' });
  });

  it('gives Codex its notify program and aider its notifications command', () => {
    expect(withHooks('codex', ['codex'], target)).toEqual([
      'codex',
      '-c',
      'notify=["/usr/bin/node","/opt/maestro/bin/maestro-hook.js","codex"]',
    ]);
    expect(withHooks('aider', ['aider'], target)).toEqual([
      'aider',
      '--notifications',
      '--notifications-command',
      '/usr/bin/node /opt/maestro/bin/maestro-hook.js aider',
    ]);
  });

  it('leaves a command alone that sets the option itself, and any other agent', () => {
    for (const command of [
      ['claude', '--settings', '/my/settings.json'],
      ['claude', '--settings={"model":"opus"}'],
      ['codex', '-c', 'notify=["my-notifier"]'],
      ['aider', '--notifications-command', 'notify-send'],
    ])
      expect(withHooks(command[0] as 'claude', command, target)).toEqual(command);
    expect(withHooks('gemini', ['gemini'], target)).toEqual(['gemini']);
    expect(withHooks('generic', ['sh', '-c', 'true'], target)).toEqual(['sh', '-c', 'true']);
  });
});
