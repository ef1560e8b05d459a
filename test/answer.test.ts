import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeAgent } from './fake-agent.js';
import { BIN, Cleanup, testMaestro, until } from './helpers.js';

describe('answer a waiting agent (issue #19.2), real tmux, recorded screens', () => {
  const cleanup = new Cleanup();
  let m: Awaited<ReturnType<typeof testMaestro>>;
  let url: string;
  beforeAll(async () => {
    m = await testMaestro(cleanup);
    await m.services.projects.create({ id: 'proj_ans', name: 'answer', repoPath: m.dir });
    url = await m.listen();
  });
  afterAll(() => cleanup.run());

  const spawn = (agent: 'claude' | 'gemini', state: string, read: 'key' | 'line') =>
    m.services.sessions.spawn({ projectId: 'proj_ans', agent, command: fakeAgent(agent, state, read) });
  const screen = async (id: string) => (await m.services.sessions.output(id, 60)).lines.join('\n');

  it('reads Claude Code’s permission prompt and answers “2” with its key, from the CLI', async () => {
    const s = await spawn('claude', 'permission', 'key');
    const prompt = await until(async () => {
      const p = (await m.app.inject({ url: `/api/sessions/${s.id}/prompt` })).json();
      return p.state === 'waiting' ? p : undefined;
    }, 5000);
    expect(prompt).toMatchObject({
      agent: 'claude',
      waitingFor: {
        reason: 'permission',
        choices: ['Yes', "Yes, and don't ask again for npm test commands in /work/demo", 'No'],
      },
    });
    expect(prompt.waitingFor.message).toContain('Do you want to proceed?');

    const listed = await execa(process.execPath, [BIN, '--url', url, 'session', 'answer', s.id]);
    expect(listed.stdout).toContain('Do you want to proceed?');
    expect(listed.stdout).toMatch(/2\. Yes, and don't ask again/);
    const answered = await execa(process.execPath, [BIN, '--url', url, 'session', 'answer', s.id, '2'], { reject: false });
    expect(answered.stderr).toBe('');
    await until(async () => (await screen(s.id)).includes('answered:[2]'), 5000, 'the key 2');
  });

  it('picks a choice by its label, and refuses one that is not offered, typing nothing', async () => {
    const s = await spawn('gemini', 'permission', 'key');
    await until(async () => (await m.services.sessions.terminal.prompt(s.id)).state === 'waiting', 5000);
    const wrong = await m.app.inject({ method: 'POST', url: `/api/sessions/${s.id}/answer`, payload: { choice: 9 } });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().details.issues[0].message).toContain('1. Allow once');
    const byLabel = await m.app.inject({
      method: 'POST',
      url: `/api/sessions/${s.id}/answer`,
      payload: { text: 'allow for this session' },
    });
    expect(byLabel.statusCode).toBe(200);
    await until(async () => (await screen(s.id)).includes('answered:[2]'), 5000, 'the key 2');
  });

  it('says when a session is not waiting', async () => {
    const s = await spawn('claude', 'working', 'line');
    await until(async () => (await m.services.sessions.terminal.prompt(s.id)).state === 'working', 5000);
    const answer = await m.app.inject({ method: 'POST', url: `/api/sessions/${s.id}/answer`, payload: { choice: 1 } });
    expect(answer.statusCode).toBe(409);
    expect(answer.json().message).toContain('not waiting for an answer');
  });
});
