import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MaestroEvent, Session } from '../src/domain/index.js';
import { BIN, Cleanup, testMaestro, until } from './helpers.js';

/** A reader that prints each line it gets between brackets, until end of input. */
const READER = ['bash', '--norc', '-c', 'while IFS= read -r x; do printf "got:[%s]\\n" "$x"; done; echo reader-done; sleep 30'];

describe('send input to a session (issue #19.1), real tmux', () => {
  const cleanup = new Cleanup();
  let m: Awaited<ReturnType<typeof testMaestro>>;
  let url: string;
  const events: MaestroEvent[] = [];
  beforeAll(async () => {
    m = await testMaestro(cleanup);
    await m.services.projects.create({ id: 'proj_in', name: 'input', repoPath: m.dir });
    m.services.store.onEvents((batch) => events.push(...batch));
    url = await m.listen();
  });
  afterAll(() => cleanup.run());

  const screen = async (s: Session) => (await m.services.sessions.output(s.id, 50)).lines.join('\n');
  const send = (id: string, payload: object) => m.app.inject({ method: 'POST', url: `/api/sessions/${id}/input`, payload });

  it('types `hello` into `read x` through the API and through the CLI', async () => {
    const api = await m.services.sessions.spawn({
      projectId: 'proj_in',
      command: ['bash', '-c', 'read x; echo got:$x; sleep 30'],
    });
    const answer = await send(api.id, { text: 'hello' });
    expect(answer.statusCode).toBe(200);
    await until(async () => (await screen(api)).includes('got:hello'), 5000, 'the API input');
    expect(answer.json().messageCount).toBe(api.messageCount + 1);
    expect(events.filter((e) => e.type === 'session:input_sent').map((e) => e.data)).toContainEqual({
      id: api.id,
      length: 5,
      keys: 1,
    });

    const cli = await m.services.sessions.spawn({
      projectId: 'proj_in',
      command: ['bash', '-c', 'read x; echo got:$x; sleep 30'],
    });
    const typed = await execa(process.execPath, [BIN, '--url', url, 'session', 'send', cli.id, 'hello'], { reject: false });
    expect(typed.stderr).toBe('');
    expect(typed.stdout).toContain('sent 5 characters, then Enter');
    await until(async () => (await screen(cli)).includes('got:hello'), 5000, 'the CLI input');
  });

  it('types hostile text literally: nothing is read as a tmux command, format, key name or shell', async () => {
    const s = await m.services.sessions.spawn({ projectId: 'proj_in', command: READER });
    const hostile = [
      `#(touch ${m.dir}/PWNED)`,
      '#{session_name}',
      'semi;',
      ';',
      'back\\;',
      `quotes '" and $(touch ${m.dir}/PWNED2)`,
      '-dash --',
      'Enter',
      'C-c',
      'ünïcødé ✓',
    ];
    for (const text of hostile) expect((await send(s.id, { text })).statusCode, text).toBe(200);
    expect((await send(s.id, { text: 'two\nlines' })).statusCode).toBe(200);
    const expected = [...hostile, 'two', 'lines'].map((t) => `got:[${t}]`);
    const got = await until(async () => {
      const lines = (await screen(s)).split('\n').filter((l) => l.startsWith('got:['));
      return lines.length >= expected.length ? lines : undefined;
    }, 8000);
    expect(got).toEqual(expected);
    const { existsSync } = await import('node:fs');
    expect(existsSync(`${m.dir}/PWNED`) || existsSync(`${m.dir}/PWNED2`)).toBe(false);

    // A named key: C-d ends the reader's input.
    expect((await send(s.id, { keys: ['C-d'], submit: false })).statusCode).toBe(200);
    await until(async () => (await screen(s)).includes('reader-done'), 5000, 'C-d');
  });

  it('refuses: 400 for a session without a runtime or a key off the list, 409 for an ended one; nothing is typed', async () => {
    const record = await m.services.sessions.create({ projectId: 'proj_in' });
    const noRuntime = await send(record.id, { text: 'hi' });
    expect(noRuntime.statusCode).toBe(400);
    expect(noRuntime.json().details.issues[0]).toMatchObject({ path: 'params.id' });
    const s = await m.services.sessions.spawn({ projectId: 'proj_in', command: READER });
    const badKey = await send(s.id, { keys: ['rm -rf /'] });
    expect(badKey.statusCode).toBe(400);
    expect(badKey.json().details.issues[0].path).toBe('body.keys.0');
    expect((await send(s.id, { text: '', submit: false })).statusCode).toBe(400);
    await m.services.sessions.end(s.id, 'killed');
    const ended = await send(s.id, { text: 'too late' });
    expect(ended.statusCode).toBe(409);
    expect((await m.services.sessions.get(s.id)).output.join('\n')).not.toContain('too late');
  });
});
