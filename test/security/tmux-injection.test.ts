import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cleanup, testMaestro, until } from '../helpers.js';

/**
 * Names that mean something to tmux's command parser (`;`, `\`), its format expander (`#(…)` runs
 * a shell command, `#{…}` expands), a shell (quotes, `$(…)`), option parsers (leading `-`), or
 * nothing at all (unicode). Each must arrive exactly as given, as a directory, an argument and an
 * environment value.
 */
const HOSTILE = (dir: string) => [
  `x#(touch ${dir}/PWNED)`,
  `#(touch ${dir}/PWNED2)`,
  'x#{session_name}',
  '#{pane_pid}##',
  'C#Sharp',
  'semi;',
  ';',
  'back\\slash\\;',
  `quotes'"\``,
  '$(touch PWNED3)',
  'new\nline',
  '-leading-dash',
  '--',
  '{',
  'ünïcødé ✓ 中文',
];

describe('no user text reaches tmux as commands or formats (issue #16.2)', () => {
  const cleanup = new Cleanup();
  let m: Awaited<ReturnType<typeof testMaestro>>;
  beforeAll(async () => {
    m = await testMaestro(cleanup, { maxSessions: 100 });
    await m.services.projects.create({ id: 'proj_inj', name: 'inj', repoPath: m.dir });
  });
  afterAll(() => cleanup.run());

  it('every hostile name arrives literally as the directory, an argument and an environment value; nothing runs', async () => {
    const names = HOSTILE(m.dir);
    const started = await Promise.all(
      names.map(async (name, i) => {
        const cwd = join(m.dir, `d${i}-${name.replaceAll('/', '_')}`);
        mkdirSync(cwd);
        const out = join(m.dir, `out-${i}`);
        await m.services.sessions.spawn({
          projectId: 'proj_inj',
          cwd,
          // Writes what it got, NUL-separated, to a file of the test's (the pane may die before it is read).
          command: [
            'sh',
            '-c',
            'printf "%s\\0%s\\0%s" "$(pwd -P)" "$1" "$HOSTILE" > "$OUT.tmp" && mv "$OUT.tmp" "$OUT"',
            'sh',
            name,
          ],
          env: { HOSTILE: name, OUT: out },
        });
        return { cwd, name, out };
      }),
    );
    for (const { cwd, name, out } of started) {
      await until(() => existsSync(out), 10_000, `output of ${JSON.stringify(name)}`);
      expect(readFileSync(out, 'utf8').split('\0'), JSON.stringify(name)).toEqual([cwd, name, name]);
    }
    for (const pwned of ['PWNED', 'PWNED2', 'PWNED3']) expect(existsSync(join(m.dir, pwned)), pwned).toBe(false);
  });

  it('refuses NUL in a directory, an argument or an environment value with 400 naming the field, and starts nothing', async () => {
    const spawn = (body: Record<string, unknown>) =>
      m.app.inject({
        method: 'POST',
        url: '/api/sessions/spawn',
        payload: { projectId: 'proj_inj', command: ['true'], ...body },
      });
    const before = (await m.services.sessions.list()).sessions.length;
    for (const [body, field] of [
      [{ cwd: `${m.dir}/a\u0000b` }, 'body.cwd'],
      [{ command: ['echo', 'a\u0000b'] }, 'body.command.1'],
      [{ env: { X: 'a\u0000b' } }, 'body.env.X'],
    ] as const) {
      const answer = await spawn(body);
      expect(answer.statusCode, field).toBe(400);
      expect(answer.json().details.issues[0]).toMatchObject({ path: field, message: expect.stringContaining('NUL') });
    }
    expect((await m.services.sessions.list()).sessions.length).toBe(before);
  });
});
