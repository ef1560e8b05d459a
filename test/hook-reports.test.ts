import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueSessionToken } from '../src/core/sessions/session-tokens.js';
import { Cleanup, tempDir, testMaestro, until } from './helpers.js';

const HOOKS = fileURLToPath(new URL('./fixtures/agents/', import.meta.url));
const payload = (agent: string, name: string) => JSON.parse(readFileSync(join(HOOKS, agent, 'hooks', `${name}.json`), 'utf8'));

/** What each recorded Claude Code hook payload makes of the agent (docs/agents.md §1b). */
const CLAUDE: [fixture: string, state: string, reason?: string][] = [
  ['UserPromptSubmit', 'working'],
  ['PreCompact', 'working'],
  ['PreToolUse', 'working'],
  ['PermissionRequest', 'waiting', 'permission'],
  ['PostToolUse', 'working'],
  ['Notification.permission_prompt', 'waiting', 'permission'],
  ['SubagentStop', 'waiting', 'permission'], // news, not a move: the state stays
  ['Stop', 'idle'],
  ['Notification.idle_prompt', 'waiting', 'idle_prompt'],
];

describe('hook reports (issue #20.3): the agents’ own payloads, unchanged, drive the agent state', () => {
  const cleanup = new Cleanup();
  let m: Awaited<ReturnType<typeof testMaestro>>;
  beforeAll(async () => {
    m = await testMaestro(cleanup, { token: 'server-secret' });
    await m.services.projects.create({ id: 'proj_hooks', name: 'hooks', repoPath: m.dir });
  });
  afterAll(() => cleanup.run());

  const post = (agent: string, session: string, body: unknown, token = 'server-secret') =>
    m.app.inject({
      method: 'POST',
      url: `/api/hooks/${agent}`,
      headers: { authorization: `Bearer ${token}`, 'x-maestro-session': session, 'content-type': 'application/json' },
      payload: JSON.stringify(body),
    });

  it('maps every recorded Claude Code payload, in a session’s order, with the session’s own token', async () => {
    const s = await m.services.sessions.create({ projectId: 'proj_hooks', name: 'claude' });
    const token = issueSessionToken('server-secret', s.id);
    for (const [fixture, state, reason] of CLAUDE) {
      const answer = await post('claude', s.id, payload('claude', fixture), token);
      expect(answer.statusCode, fixture).toBe(204);
      const now = await m.services.sessions.get(s.id);
      expect(now.agentState, fixture).toBe(state);
      if (reason) expect(now.waitingFor?.reason, fixture).toBe(reason);
    }
    const waiting = await m.services.sessions.get(s.id);
    expect(waiting.waitingFor?.message).toBe('Claude is waiting for your input');
    // Moves only (repeats and news append nothing); a new question while waiting is a move.
    const events = await m.services.store.listEvents(0, 10_000);
    const moves = events.filter((e) => e.type === 'session:agent_state' && (e.data as { id: string }).id === s.id);
    expect(moves.map((e) => (e.data as { to: string }).to)).toEqual([
      'working',
      'waiting',
      'working',
      'waiting',
      'idle',
      'waiting',
    ]);
  });

  it('reads Gemini CLI’s hooks, Codex’s notify and aider’s bare notification', async () => {
    const s = await m.services.sessions.create({ projectId: 'proj_hooks', name: 'others' });
    const state = async () => {
      const now = await m.services.sessions.get(s.id);
      return [now.agentState, now.waitingFor?.reason ?? null];
    };
    expect((await post('gemini', s.id, payload('gemini', 'BeforeTool'))).statusCode).toBe(204);
    expect(await state()).toEqual(['working', null]);
    await post('gemini', s.id, payload('gemini', 'Notification'));
    expect(await state()).toEqual(['waiting', 'permission']);
    await post('gemini', s.id, payload('gemini', 'AfterAgent'));
    expect(await state()).toEqual(['idle', null]);
    const notify = JSON.parse(readFileSync(join(HOOKS, 'codex', 'notify.agent-turn-complete.json'), 'utf8'));
    await post('codex', s.id, payload('codex', 'PreToolUse'));
    expect(await state()).toEqual(['working', null]);
    await post('codex', s.id, notify);
    expect(await state()).toEqual(['idle', null]);
    await post('aider', s.id, {});
    expect(await state()).toEqual(['waiting', 'idle_prompt']);
  });

  it('refuses what is not its own, naming why, and changes nothing', async () => {
    const mine = await m.services.sessions.create({ projectId: 'proj_hooks', name: 'mine' });
    const other = await m.services.sessions.create({ projectId: 'proj_hooks', name: 'other' });
    const token = issueSessionToken('server-secret', mine.id);
    expect((await post('claude', other.id, payload('claude', 'Stop'), token)).statusCode).toBe(403);
    const noHeader = await m.app.inject({
      method: 'POST',
      url: '/api/hooks/claude',
      headers: { authorization: 'Bearer server-secret', 'content-type': 'application/json' },
      payload: '{}',
    });
    expect(noHeader.statusCode).toBe(400);
    expect(noHeader.json().details.issues[0].path).toBe('headers.x-maestro-session');
    expect((await post('vim', mine.id, {})).statusCode).toBe(400);
    expect((await post('claude', 'sess_nope', payload('claude', 'Stop'))).statusCode).toBe(404);
    expect((await m.services.sessions.get(other.id)).agentState).toBeNull();
  });

  it('counts a report as a sign of life coarsely, with the tool it ran, never a write per tool call', async () => {
    const s = await m.services.sessions.create({ projectId: 'proj_hooks', name: 'busy' });
    await post('claude', s.id, payload('claude', 'UserPromptSubmit'));
    m.clock.advance(60_000);
    await post('claude', s.id, payload('claude', 'PreToolUse'));
    const seen = await m.services.sessions.get(s.id);
    expect(seen.lastActivityAt).toBe(new Date(m.clock.now()).toISOString());
    expect(seen.lastActivityDetail).toBe('Bash');
    // The next tool calls within the granularity write nothing: same version.
    for (let i = 0; i < 5; i++) await post('claude', s.id, payload('claude', i % 2 ? 'PreToolUse' : 'PostToolUse'));
    expect((await m.services.sessions.get(s.id)).version).toBe(seen.version);
  });

  it('outranks the screen: while hooks speak for an agent, its screen does not move it', async () => {
    const s = await m.services.sessions.create({ projectId: 'proj_hooks', name: 'ranked' });
    await post('claude', s.id, payload('claude', 'Stop'));
    await m.services.sessions.agentStates.set(s.id, { state: 'working' });
    expect((await m.services.sessions.get(s.id)).agentState).toBe('idle');
    m.clock.advance(11 * 60 * 1000);
    await m.services.sessions.agentStates.set(s.id, { state: 'working' });
    expect((await m.services.sessions.get(s.id)).agentState).toBe('working');
  });
});

const FAKE_CLAUDE = fileURLToPath(new URL('./fixtures/fake-agents/claude.mjs', import.meta.url));

describe('a spawned Claude Code reports through its own hooks, with no set-up (issue #20.2)', () => {
  const cleanup = new Cleanup();
  afterAll(() => cleanup.run());

  it('gets Maestro’s http hooks on its command line, and its recorded payloads move its state and count its tokens', async () => {
    // Claude Code keeps its transcripts in CLAUDE_CONFIG_DIR: here a directory of the test's own.
    const home = tempDir(cleanup);
    const saved = process.env.CLAUDE_CONFIG_DIR;
    process.env.CLAUDE_CONFIG_DIR = home;
    cleanup.add(() => {
      if (saved === undefined) delete process.env.CLAUDE_CONFIG_DIR;
      else process.env.CLAUDE_CONFIG_DIR = saved;
    });
    const transcript = join(home, 'projects', '-work-demo', 'session.jsonl');
    mkdirSync(dirname(transcript), { recursive: true });
    copyFileSync(join(HOOKS, 'claude', 'transcript.jsonl'), transcript);
    const m = await testMaestro(cleanup, { token: 'server-secret' });
    await m.services.projects.create({ id: 'proj_fake', name: 'fake', repoPath: m.dir });
    await m.listen();
    const steps = ['UserPromptSubmit', 'PreToolUse', 'PermissionRequest', 'PostToolUse', 'Stop'];
    const s = await m.services.sessions.spawn({
      projectId: 'proj_fake',
      agent: 'claude',
      command: [
        process.execPath,
        FAKE_CLAUDE,
        '--transcript',
        transcript,
        ...steps.map((step) => join(HOOKS, 'claude', 'hooks', `${step}.json`)),
      ],
    });
    // The command as given is kept; the hooks ride on the command line only.
    expect(s.launch?.command.includes('--settings')).toBe(false);
    const ended = await until(
      async () => {
        const out = (await m.services.sessions.output(s.id, 40)).lines.join('\n');
        return out.includes('fake claude: done') ? out : undefined;
      },
      10_000,
      'the fake agent’s hooks',
    );
    expect(ended).toContain('Stop -> 204');
    expect(ended).not.toMatch(/-> (?!204)/);
    const now = await m.services.sessions.get(s.id);
    expect(now.agentState).toBe('idle');
    const events = await m.services.store.listEvents(0, 10_000);
    const moves = events.filter((e) => e.type === 'session:agent_state' && (e.data as { id: string }).id === s.id);
    expect(moves.map((e) => (e.data as { to: string }).to)).toEqual(['working', 'waiting', 'working', 'idle']);

    // The transcript's two API messages, read once however many hooks named it.
    expect(now.statistics).toMatchObject({
      tokens: { input: 10, output: 310, cacheRead: 38_200, cacheWrite: 1930 },
      model: 'claude-sonnet-4-6',
    });
    expect(now.statistics.costUsd).toBeCloseTo(0.0233775, 8);
    const usage = (await m.app.inject({ url: '/api/usage', headers: { authorization: 'Bearer server-secret' } })).json();
    expect(usage.total).toMatchObject({ sessions: 1, tokens: { output: 310 } });
    expect(usage.byProject).toEqual([expect.objectContaining({ projectId: 'proj_fake', sessions: 1 })]);
    const metrics = (await m.app.inject({ url: '/metrics', headers: { authorization: 'Bearer server-secret' } })).body;
    expect(metrics).toContain('maestro_tokens_total{kind="cacheRead",model="claude-sonnet-4-6"} 38200');
    expect(metrics).toMatch(/maestro_cost_usd_total\{model="claude-sonnet-4-6"\} 0\.02337/);
  });

  it('does not read a transcript a hook names outside the agents’ directories', async () => {
    const m = await testMaestro(cleanup);
    await m.services.projects.create({ id: 'proj_out', name: 'out', repoPath: m.dir });
    const s = await m.services.sessions.create({ projectId: 'proj_out' });
    const outside = join(m.dir, 'elsewhere.jsonl');
    copyFileSync(join(HOOKS, 'claude', 'transcript.jsonl'), outside);
    await m.services.sessions.reports.report('claude', s.id, { ...payload('claude', 'Stop'), transcript_path: outside });
    expect((await m.services.sessions.get(s.id)).statistics.model).toBeNull();
  });
});

const FAKE_CODEX = fileURLToPath(new URL('./fixtures/fake-agents/codex.mjs', import.meta.url));

describe('a spawned Codex reports each turn through maestro-hook (issue #20.4)', () => {
  const cleanup = new Cleanup();
  afterAll(() => cleanup.run());

  it('runs the small hook program Maestro put in its notify, which reports the turn’s end', async () => {
    const m = await testMaestro(cleanup, { token: 'server-secret' });
    await m.services.projects.create({ id: 'proj_codex', name: 'codex', repoPath: m.dir });
    await m.listen();
    const s = await m.services.sessions.spawn({
      projectId: 'proj_codex',
      agent: 'codex',
      command: [process.execPath, FAKE_CODEX, join(HOOKS, 'codex', 'notify.agent-turn-complete.json')],
    });
    const out = await until(
      async () => {
        const lines = (await m.services.sessions.output(s.id, 40)).lines.join('\n');
        return lines.includes('fake codex: notify exited') ? lines : undefined;
      },
      10_000,
      'the notify program',
    );
    expect(out).toContain('notify exited 0');
    expect(out).not.toContain('maestro-hook:');
    expect((await m.services.sessions.get(s.id)).agentState).toBe('idle');
  });
});
