import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { allCommands, commandSpec, shortDescription } from './completion-model.js';
import { completionScript, SHELLS } from './completion-scripts.js';
import { buildProgram } from './program.js';

const dir = mkdtempSync(join(tmpdir(), 'maestro-completion-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const program = buildProgram();
const spec = commandSpec(program);
const scripts = Object.fromEntries(
  SHELLS.map((shell) => {
    const file = join(dir, `maestro.${shell}`);
    writeFileSync(file, completionScript(shell, spec));
    return [shell, file];
  }),
) as Record<(typeof SHELLS)[number], string>;

/** Whether `shell` is installed here. */
const installed = (shell: string) => spawnSync('sh', ['-c', `command -v ${shell}`]).status === 0;

/**
 * What bash's completion offers for each command line (the last word is the one being completed,
 * '' for a new word), in one bash: the script sourced, `_maestro` called as bash calls it.
 */
function bashCompletes(lines: string[][], prelude = ''): string[][] {
  const calls = lines.map(
    (words) =>
      `COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; COMPREPLY=(); _maestro; printf '%s\\n' "\${COMPREPLY[*]}"`,
  );
  const out = execFileSync('bash', ['-c', [prelude, `source '${scripts.bash}'`, ...calls].join('\n')], { encoding: 'utf8' });
  return out
    .split('\n')
    .slice(0, lines.length)
    .map((l) => l.split(' ').filter(Boolean));
}

describe('maestro completion', () => {
  it('writes a bash script that bash reads', () => {
    expect(spawnSync('bash', ['-n', scripts.bash]).status).toBe(0);
  });

  it.skipIf(!installed('zsh'))(
    'writes a zsh script that zsh reads (skipped where zsh is not installed: .ci/run installs none)',
    () => {
      expect(spawnSync('zsh', ['-n', scripts.zsh]).status).toBe(0);
    },
  );

  it.skipIf(!installed('fish'))(
    'writes a fish script that fish reads (skipped where fish is not installed: .ci/run installs none)',
    () => {
      expect(spawnSync('fish', ['--no-execute', scripts.fish]).status).toBe(0);
    },
  );

  it('completes subcommands, options and their values in bash', () => {
    const [sub, opts, status, output, shell, spawned, statusArg, helpArg, afterDashes] = bashCompletes([
      ['maestro', 'session', 'l'],
      ['maestro', 'session', 'list', '--w'],
      ['maestro', 'session', 'list', '--status', 'imp'],
      ['maestro', '--url', 'http://x', '-o', ''],
      ['maestro', 'completion', ''],
      ['maestro', 'session', 'spawn', '-p', 'web', '--wor'],
      ['maestro', 'session', 'transition', 'login', 'comp'],
      ['maestro', 'help', 'se'],
      ['maestro', 'session', 'spawn', '-p', 'web', '--', 'cl'],
    ]);
    expect(sub).toEqual(['link', 'list', 'log']);
    expect(opts).toEqual(['--watch', '--wide']);
    expect(status).toEqual(['implementing']);
    expect(output).toEqual(['pretty', 'json']);
    expect(shell).toEqual(['bash', 'zsh', 'fish']);
    expect(spawned).toEqual(['--worktree']);
    expect(statusArg).toEqual(['completed']);
    expect(helpArg).toEqual(['serve', 'session']);
    // After -- comes the agent's own command: the shell's default completion.
    expect(afterDashes).toEqual([]);
  });

  it('asks `maestro __complete` for the names of sessions, projects and tasks where they go', () => {
    // A stand-in for the real command: prints what it was asked for, as names.
    const stub = `maestro() { [ "$1" = __complete ] && printf '%s\\n' "$2-one" "$2-two" "$2 with space"; }`;
    const [session, project, task, taskArg] = bashCompletes(
      [
        ['maestro', 'session', 'get', ''],
        ['maestro', 'session', 'list', '--project', 'project-o'],
        ['maestro', 'session', 'spawn', '-t', 'task-t'],
        ['maestro', 'session', 'link', 'login', 'task\\ w'],
      ],
      stub,
    );
    expect(session).toEqual(['session-one', 'session-two', 'session\\', 'with\\', 'space']);
    expect(project).toEqual(['project-one']);
    expect(task).toEqual(['task-two']);
    // A name with spaces is one word, escaped.
    expect(taskArg).toEqual(['task\\', 'with\\', 'space']);
  });

  it('offers every visible command and option of the real CLI, so it never drifts from it', () => {
    const commands = allCommands(spec);
    const lines = commands.flatMap((c) => [
      ['maestro', ...c.path, ''],
      ['maestro', ...c.path, '-'],
    ]);
    const offered = bashCompletes(lines);
    const visible = (command: Command): Command[] => [command, ...command.createHelp().visibleCommands(command).flatMap(visible)];
    const tree = visible(program);
    expect(tree.length).toBe(commands.length);
    commands.forEach((c, i) => {
      const command = tree[i] as Command;
      const subcommands = command
        .createHelp()
        .visibleCommands(command)
        .map((s) => s.name());
      if (subcommands.length > 0) expect(offered[2 * i], c.path.join(' ')).toEqual(expect.arrayContaining(subcommands));
      const flags = command
        .createHelp()
        .visibleOptions(command)
        .flatMap((o) => [o.short, o.long].filter(Boolean));
      expect(offered[2 * i + 1], c.path.join(' ')).toEqual(expect.arrayContaining([...flags, '--url', '--token', '--output']));
    });
    expect(offered.flat()).not.toContain('__complete');
  });

  it('cuts descriptions to what fits beside a completion', () => {
    expect(shortDescription('list sessions, newest first')).toBe('list sessions, newest first');
    expect(shortDescription('start a command in a new tmux session, e.g. maestro session spawn')).toBe(
      'start a command in a new tmux session',
    );
    expect(shortDescription('x'.repeat(80))).toHaveLength(60);
  });
});
