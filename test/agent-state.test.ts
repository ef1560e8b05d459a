import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../src/core/config.js';
import type { AgentKind, Session } from '../src/domain/index.js';
import { createMaestro } from '../src/maestro.js';
import { fakeAgent } from './fake-agent.js';
import { BIN, Cleanup, quietLog, tempDir, testMaestro, tmuxSocket, until } from './helpers.js';

const SCREENS = fileURLToPath(new URL('./fixtures/screens/', import.meta.url));

/** What each recorded screen must make of its agent: the state, and the reason of a wait. */
const EXPECTED: Record<string, { agentState: string; reason?: string }> = {
  permission: { agentState: 'waiting', reason: 'permission' },
  question: { agentState: 'waiting', reason: 'question' },
  idle: { agentState: 'waiting', reason: 'idle_prompt' },
  working: { agentState: 'working' },
};

type TestMaestro = Awaited<ReturnType<typeof testMaestro>>;

/** The session once `check` holds of it (read from the store, as any client reads it). */
const sessionWhen = (m: TestMaestro, id: string, check: (s: Session) => boolean, what: string, timeoutMs = 5000) =>
  until(
    async () => {
      const s = await m.services.sessions.get(id);
      return check(s) ? s : undefined;
    },
    timeoutMs,
    what,
  );

describe('agent state from the terminal (issue #18), real tmux', () => {
  const cleanup = new Cleanup();
  let m: TestMaestro;
  let url: string;
  beforeAll(async () => {
    // A pass at start-up, then none for ten minutes: whatever ends a session quickly is an event.
    m = await testMaestro(cleanup, { idleSecs: 1, reconcileIntervalMs: 600_000, logMaxBytes: 8192 });
    await m.services.projects.create({ id: 'proj_state', name: 'state', repoPath: m.dir });
    url = await m.listen();
  });
  afterAll(() => cleanup.run());

  const spawn = (command: string[], agent?: AgentKind) =>
    m.services.sessions.spawn({ projectId: 'proj_state', command, ...(agent ? { agent } : {}) });

  it('reads every recorded screen of the five agents as its agent shows it: waiting (and why) or working', async () => {
    const cases = readdirSync(SCREENS, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .flatMap((d) => Object.keys(EXPECTED).map((state) => ({ agent: d.name as AgentKind, state })));
    expect(cases).toHaveLength(20);
    const spawned = await Promise.all(cases.map((c) => spawn(fakeAgent(c.agent, c.state, 'line'), c.agent)));
    const read = await Promise.all(
      spawned.map((s, i) => {
        const { agentState, reason } = EXPECTED[cases[i]?.state ?? ''] ?? { agentState: '?' };
        return sessionWhen(
          m,
          s.id,
          (now) => now.agentState === agentState && (reason === undefined || now.waitingFor?.reason === reason),
          `${cases[i]?.agent} ${cases[i]?.state} read as ${agentState} ${reason ?? ''}`,
          10_000,
        );
      }),
    );
    const claudePermission = read[cases.findIndex((c) => c.agent === 'claude' && c.state === 'permission')];
    expect(claudePermission?.waitingFor?.message).toContain('Do you want to proceed?');
    expect(claudePermission?.waitingFor?.choices).toEqual([
      'Yes',
      "Yes, and don't ask again for npm test commands in /work/demo",
      'No',
    ]);
    // Quiet for longer than MAESTRO_IDLE_SECS: a waiting agent still waits.
    await new Promise((r) => setTimeout(r, 1500));
    expect((await m.services.sessions.get(claudePermission?.id ?? '')).agentState).toBe('waiting');
    for (const s of spawned) await m.services.sessions.delete(s.id);
  });

  it('a command printing is working and stays so; a silent one turns idle, and typing wakes it', async () => {
    const printer = await spawn(['sh', '-c', 'while :; do echo tick; sleep 0.2; done']);
    const silent = await spawn(['sleep', '60']);
    expect(silent.agentState).toBe('starting');
    await sessionWhen(m, printer.id, (s) => s.agentState === 'working', 'printer working');
    const idle = await sessionWhen(m, silent.id, (s) => s.agentState === 'idle', 'silent command idle');
    expect(idle.waitingFor).toBeNull();
    // Twice MAESTRO_IDLE_SECS later, the printer has never been idle.
    await new Promise((r) => setTimeout(r, 2000));
    const events = await m.services.store.listEvents(0, 100_000);
    const moves = events.filter((e) => e.type === 'session:agent_state' && (e.data as { id: string }).id === printer.id);
    expect(moves.map((e) => (e.data as { to: string }).to)).toEqual(['working']);
    // The terminal echoes what is typed: output, so work.
    await m.services.sessions.terminal.sendInput(silent.id, { text: 'hello', submit: false });
    await sessionWhen(m, silent.id, (s) => s.agentState === 'working', 'typed into: working');
    // Deleted, they are no longer watched (whatever state they were last in).
    const watched = m.watcher.size;
    await m.services.sessions.delete(printer.id);
    await m.services.sessions.delete(silent.id);
    expect(m.watcher.size).toBe(watched - 2);
  });

  it('an exit is heard as it happens (a tmux hook), not at the next reconcile pass', async () => {
    const s = await spawn(['sh', '-c', 'echo ready; read x; exit 3']);
    await sessionWhen(m, s.id, (now) => now.agentState === 'working', 'started');
    await m.services.sessions.terminal.sendInput(s.id, { text: 'bye' });
    const ended = await sessionWhen(m, s.id, (now) => now.completedAt !== null, 'ended by the exit notice', 3000);
    expect(ended).toMatchObject({
      endReason: 'terminal_closed',
      runtime: { exitCode: 3 },
      agentState: 'exited',
      waitingFor: null,
    });
  });

  it('keeps a transcript of everything printed: read, followed to the end over a socket, deleted with the session', async () => {
    const s = await spawn(['sh', '-c', 'echo "first line"; read x; echo "second line"; read y; echo "last line"']);
    await sessionWhen(m, s.id, (now) => now.agentState === 'working', 'first output');
    const whole = await fetch(`${url}/api/sessions/${s.id}/log`);
    expect(whole.headers.get('content-type')).toContain('text/plain');
    expect(await whole.text()).toContain('first line');

    const follow = await fetch(`${url}/api/sessions/${s.id}/log?follow=true`);
    const reader = (follow.body as ReadableStream<Uint8Array>).getReader();
    let seen = '';
    const readUntil = async (text: string) => {
      while (!seen.includes(text)) {
        const next = await reader.read();
        if (next.done) throw new Error(`the follow ended before "${text}": ${seen}`);
        seen += Buffer.from(next.value).toString('utf8');
      }
    };
    await readUntil('first line');
    await m.services.sessions.terminal.sendInput(s.id, { text: 'go on' });
    await readUntil('second line');
    await m.services.sessions.terminal.sendInput(s.id, { text: 'finish' });
    await readUntil('last line');
    // The session ended (its command exited): the follow ends with it.
    for (let next = await reader.read(); !next.done; next = await reader.read()) seen += Buffer.from(next.value).toString();
    expect((await m.services.sessions.get(s.id)).completedAt).not.toBeNull();

    const files = transcriptPath(m, s);
    expect(existsSync(files)).toBe(true);
    await m.services.sessions.delete(s.id);
    expect(existsSync(files)).toBe(false);
  });

  it('bounds a transcript by rotation: the newest output kept, the file under half the bound', async () => {
    // 40 kB through a transcript bounded at 8 kB.
    const s = await spawn([
      'sh',
      '-c',
      'i=0; while [ $i -lt 800 ]; do echo "line $i of the flood ......................"; i=$((i+1)); done; echo flood-done; exec sleep 60',
    ]);
    const path = transcriptPath(m, s);
    // A rotation renames, re-points the pane, then cuts the older part: wait for the whole of it.
    await until(
      () => existsSync(`${path}.1`) && statSync(`${path}.1`).size <= 4096 && existsSync(path) && statSync(path).size <= 4096,
      8000,
      'a rotation',
    );
    const text = (await m.app.inject({ url: `/api/sessions/${s.id}/log` })).body;
    expect(text).toContain('flood-done');
    expect(text).not.toContain('line 0 of the flood');
    expect(statSync(`${path}.1`).size + statSync(path).size).toBeLessThanOrEqual(8192 + 4096);
    await m.services.sessions.delete(s.id);
  });

  it('the CLI lists agents by state, shows what one waits for, and prints a transcript', async () => {
    const cli = (...args: string[]) => execa(process.execPath, [BIN, '--url', url, ...args], { reject: false });
    const asking = await spawn(fakeAgent('codex', 'permission', 'line'), 'codex');
    const busy = await spawn(['sh', '-c', 'while :; do echo busy-$$; sleep 0.2; done']);
    await sessionWhen(m, asking.id, (s) => s.agentState === 'waiting', 'codex waiting');
    await sessionWhen(m, busy.id, (s) => s.agentState === 'working', 'busy working');
    // --wide: with full ids (two sessions spawned together may share the start the short view shows).
    const waiting = await cli('session', 'list', '--state', 'waiting', '--wide');
    expect(waiting.stderr).toBe('');
    const lines = waiting.stdout.split('\n');
    expect(lines[0]).toMatch(/^STATE\s+ID\s+NAME\s+PROJECT\s+STATUS/);
    expect(lines.some((l) => l.startsWith('waiting: permission') && l.includes(asking.id))).toBe(true);
    expect(waiting.stdout).not.toContain(busy.id);
    const got = await cli('session', 'get', asking.id);
    expect(got.stdout).toMatch(/state\s+waiting: permission since/);
    expect(got.stdout).toMatch(/waiting for\s+\S/);
    const log = await cli('session', 'log', busy.id);
    expect(log.exitCode).toBe(0);
    expect(log.stdout).toContain('busy-');
    const bad = await cli('session', 'list', '--state', 'asleep');
    expect(bad.exitCode).not.toBe(0);
    expect(bad.stderr).toContain('--state');
    await m.services.sessions.delete(asking.id);
    await m.services.sessions.delete(busy.id);
  });

  it('refuses the transcript of a session without a runtime, naming why', async () => {
    const record = await m.services.sessions.create({ projectId: 'proj_state' });
    const answer = await m.app.inject({ url: `/api/sessions/${record.id}/log` });
    expect(answer.statusCode).toBe(400);
    expect(answer.json().details.issues[0].message).toContain('no runtime');
    expect((await m.app.inject({ url: '/api/sessions/sess_nope/log' })).statusCode).toBe(404);
  });
});

/** Where the runtime keeps a session's transcript: `logs/` beside the SQLite file (MAESTRO_LOG_DIR's default). */
function transcriptPath(m: TestMaestro, s: Session): string {
  return join(m.dir, 'logs', `maestro-${s.id}.log`);
}

describe('a restart of Maestro re-adopts live sessions with their state (issue #18)', () => {
  const cleanup = new Cleanup();
  afterAll(() => cleanup.run());

  it('reads the screen again at start-up, and the transcript goes on', async () => {
    const dir = tempDir(cleanup);
    const config = {
      ...DEFAULTS,
      port: 0,
      db: join(dir, 'maestro.db'),
      tmuxSocket: tmuxSocket(cleanup),
      logLevel: 'silent',
      idleSecs: 0,
    };
    const first = await createMaestro(config, { log: quietLog() });
    await first.services.projects.create({ id: 'proj_r', name: 'r', repoPath: dir });
    await first.listen();
    const s = await first.services.sessions.spawn({
      projectId: 'proj_r',
      agent: 'claude',
      command: fakeAgent('claude', 'permission', 'line', 'idle'),
    });
    await until(async () => (await first.services.sessions.get(s.id)).waitingFor?.reason === 'permission', 5000, 'waiting');
    await first.close();

    // While no Maestro runs, the user answers in tmux itself, and the agent goes back to its prompt.
    await execa('tmux', ['-L', config.tmuxSocket, 'send-keys', '-t', `=maestro-${s.id}:`, 'y', 'Enter']);
    const second = await createMaestro(config, { log: quietLog() });
    cleanup.add(() => second.close());
    await second.listen();
    const adopted = await until(
      async () => {
        const now = await second.services.sessions.get(s.id);
        return now.waitingFor?.reason === 'idle_prompt' ? now : undefined;
      },
      5000,
      'the new screen read at adoption',
    );
    expect(adopted.agentState).toBe('waiting');
    const log = (await second.app.inject({ url: `/api/sessions/${s.id}/log` })).body;
    expect(log).toContain('Do you want to proceed?');
    expect(log).toContain('answered:[y]');
    expect(log).toContain('? for shortcuts');
  });
});
