import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MaestroClient } from '../src/client/index.js';
import { BIN, Cleanup, startServer, tempDir, testMaestro, tmuxSocket } from './helpers.js';

/** Waiting for sessions from the event stream (issue #25.4): the core, the route and the CLI. */
describe('waiting for sessions', () => {
  const cleanup = new Cleanup();
  afterAll(() => cleanup.run());

  describe('in process', () => {
    let m: Awaited<ReturnType<typeof testMaestro>>;
    beforeAll(async () => {
      m = await testMaestro(cleanup);
      await m.services.projects.create({ id: 'proj_w', name: 'w', repoPath: m.dir });
    });
    const create = () => m.services.sessions.create({ projectId: 'proj_w' });

    it('answers when one of the sessions starts waiting, with its summary, and not before', async () => {
      const [a, b] = [await create(), await create()];
      const abort = new AbortController();
      let settled = false;
      const waiting = m.services.sessions.waits.wait([a.id, b.id], ['waiting'], abort.signal).finally(() => {
        settled = true;
      });
      await m.services.sessions.agentStates.set(a.id, { state: 'working' }, { source: 'hook' });
      await m.services.sessions.touch(b.id);
      await new Promise((resolve) => setImmediate(resolve));
      expect(settled).toBe(false);
      await m.services.sessions.agentStates.set(
        b.id,
        { state: 'waiting', waitingFor: { reason: 'question', message: 'which one?' } },
        { source: 'hook' },
      );
      expect(await waiting).toMatchObject({
        matched: true,
        sessionId: b.id,
        state: 'waiting',
        session: { id: b.id, waitingReason: 'question' },
      });
    });

    it('answers at once for a state already reached, always for an end or a deletion, and matched: false when aborted', async () => {
      const idle = await create();
      await m.services.sessions.agentStates.set(idle.id, { state: 'idle' }, { source: 'hook' });
      const never = new AbortController().signal;
      expect(await m.services.sessions.waits.wait([idle.id], ['idle'], never)).toMatchObject({ state: 'idle' });

      const ending = await create();
      const ended = m.services.sessions.waits.wait([ending.id], ['waiting'], never);
      await m.services.sessions.end(ending.id, 'failed', { exitCode: 3 });
      expect(await ended).toMatchObject({ state: 'ended', session: { exitCode: 3, endReason: 'failed' } });

      const doomed = await create();
      const gone = m.services.sessions.waits.wait([doomed.id], ['any'], never);
      await m.services.sessions.delete(doomed.id);
      expect(await gone).toMatchObject({ matched: true, state: 'deleted', sessionId: doomed.id });

      const quiet = await create();
      const abort = new AbortController();
      const timedOut = m.services.sessions.waits.wait([quiet.id], ['any'], abort.signal);
      abort.abort();
      expect(await timedOut).toEqual({ matched: false, sessionId: null, state: null, session: null });
    });

    it('refuses an unknown session, and a bad body naming the field', async () => {
      const unknown = await m.app.inject({ method: 'POST', url: '/api/sessions/wait', payload: { ids: ['sess_nope'] } });
      expect(unknown.statusCode).toBe(404);
      const bad = await m.app.inject({
        method: 'POST',
        url: '/api/sessions/wait',
        payload: { ids: ['sess_nope'], states: ['asleep'], timeoutSecs: 51 },
      });
      expect(bad.statusCode).toBe(400);
      expect(
        bad
          .json()
          .details.issues.map((i: { path: string }) => i.path)
          .sort(),
      ).toEqual(['body.states.0', 'body.timeoutSecs']);
    });
  });

  describe('from the CLI, with real tmux', () => {
    let url: string;
    let client: MaestroClient;
    beforeAll(async () => {
      const dir = tempDir(cleanup);
      ({ url } = await startServer(cleanup, ['--port', '0', '--db', `${dir}/m.db`, '--tmux-socket', tmuxSocket(cleanup)]));
      client = new MaestroClient({ baseUrl: url });
      await client.projects.create({ id: 'proj_cli', name: 'cli', repoPath: dir });
    });
    const maestro = (...args: string[]) =>
      execa(process.execPath, [BIN, '--url', url, ...args], { reject: false, stdin: 'ignore', env: { MAESTRO_SESSION_ID: '' } });

    it('session wait exits 0 naming the session that matched, 124 when the time runs out', async () => {
      const s = await client.sessions.spawn({ projectId: 'proj_cli', name: 'sleeper', command: ['sleep', '300'] });
      const timedOut = await maestro('session', 'wait', 'sleeper', '--state', 'waiting', '--timeout', '1');
      expect(timedOut.exitCode).toBe(124);
      expect(timedOut.stdout.trim()).toBe('timed out after 1 s');
      const waiter = maestro('session', 'wait', 'sleeper', '--state', 'ended');
      await client.sessions.end(s.id, { reason: 'completed' });
      const done = await waiter;
      expect(done.exitCode).toBe(0);
      expect(done.stdout.trim()).toBe('sleeper ended');
    });

    it('session spawn --wait ended exits with the exit code of what it ran', async () => {
      const run = await maestro('-o', 'json', 'session', 'spawn', '-p', 'cli', '--wait', 'ended', '--', 'sh', '-c', 'exit 3');
      expect(run.exitCode).toBe(3);
      const ok = await maestro('-o', 'json', 'session', 'spawn', '-p', 'cli', '--wait', 'ended', '--', 'true');
      expect(ok.exitCode).toBe(0);
    });
  });
});
