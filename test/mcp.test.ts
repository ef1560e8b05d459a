import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MaestroClient } from '../src/client/index.js';
import { issueSessionToken } from '../src/core/sessions/session-tokens.js';
import type { Session, WaitResult } from '../src/domain/index.js';
import { fakeAgent } from './fake-agent.js';
import { BIN, Cleanup, git, gitRepo, startServer, tempDir, tmuxSocket, until } from './helpers.js';

const TOKEN = 'server-secret-token-0123456789';
const TOOLS = [
  'answer',
  'create_task',
  'delete_session',
  'end_session',
  'finish_session',
  'get_diff',
  'get_session',
  'list_projects',
  'list_sessions',
  'list_tasks',
  'read_output',
  'read_transcript',
  'send_input',
  'spawn_session',
  'wait',
];

/**
 * An orchestrating agent drives Maestro over MCP (issue #25): the SDK's own client, as the
 * orchestrator, against a real server and real tmux, with the orchestrator's own session token.
 */
describe('MCP: an orchestrator drives other agents', () => {
  const cleanup = new Cleanup();
  let url: string;
  let admin: MaestroClient;
  let boss: Session;
  let repo: string;
  let mcp: Client;
  beforeAll(async () => {
    const dir = tempDir(cleanup);
    ({ url } = await startServer(cleanup, [
      '--port',
      '0',
      '--db',
      `${dir}/m.db`,
      '--tmux-socket',
      tmuxSocket(cleanup),
      '--token',
      TOKEN,
      '--max-children',
      '3',
      // An agent whose screen stays still for a second is idle: the thinker below gets there quickly.
      '--idle',
      '1',
    ]));
    admin = new MaestroClient({ baseUrl: url, token: TOKEN });
    repo = gitRepo(join(dir, 'repo'), { 'app.ts': 'export const answer = 41;\n' });
    await admin.projects.create({ id: 'proj_own', name: 'own', repoPath: repo });
    await admin.projects.create({ id: 'proj_other', name: 'other', repoPath: dir });
    boss = await admin.sessions.create({ projectId: 'proj_own', name: 'boss', role: 'orchestrator' });
    // `maestro mcp` as an agent's MCP configuration starts it: its token and session in its environment.
    mcp = new Client({ name: 'fake-orchestrator', version: '1.0.0' });
    await mcp.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [BIN, 'mcp'],
        env: {
          PATH: process.env.PATH ?? '',
          MAESTRO_URL: url,
          MAESTRO_TOKEN: issueSessionToken(TOKEN, boss.id),
          MAESTRO_SESSION_ID: boss.id,
        },
        stderr: 'ignore',
      }),
    );
    cleanup.add(() => mcp.close());
  });
  afterAll(() => cleanup.run());

  const call = async (name: string, args: Record<string, unknown> = {}) =>
    (await mcp.callTool({ name, arguments: args })) as CallToolResult;
  const text = (r: CallToolResult) => r.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
  const data = <T>(r: CallToolResult) => (r.structuredContent as { result: T }).result;

  it('lists its tools, each with an input schema', async () => {
    const { tools } = await mcp.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(TOOLS);
    for (const t of tools) expect(t.inputSchema.type, t.name).toBe('object');
    const spawn = tools.find((t) => t.name === 'spawn_session');
    expect(Object.keys(spawn?.inputSchema.properties ?? {})).toEqual(
      expect.arrayContaining(['projectId', 'command', 'agent', 'worktree', 'taskIds']),
    );
  });

  it('spawns three agents, waits for the one that asks, answers it, reads a diff and merges one', async () => {
    const spawned: string[] = [];
    for (const [name, command] of [
      ['asker', fakeAgent('claude', 'permission', 'key', 'idle')],
      ['thinker', fakeAgent('claude', 'working', 'line')],
    ] as const) {
      const r = await call('spawn_session', { projectId: 'proj_own', name, command: [...command], agent: 'claude' });
      expect(r.isError, text(r)).toBeFalsy();
      spawned.push(data<{ id: string }>(r).id);
    }
    const editor = await call('spawn_session', {
      projectId: 'proj_own',
      name: 'editor',
      worktree: true,
      command: ['sh', '-c', 'printf "export const answer = 42;\\n" > app.ts; touch .done; exec sleep 300'],
    });
    const editorId = data<{ id: string }>(editor).id;
    spawned.push(editorId);
    for (const id of spawned) expect((await admin.sessions.get(id)).parentSessionId).toBe(boss.id);

    // The one that asks is found by waiting, from the event stream; the question reads in plain words.
    const asked = await call('wait', { ids: spawned.slice(0, 2), states: ['waiting'], timeoutSecs: 40 });
    expect(data<WaitResult>(asked)).toMatchObject({ matched: true, sessionId: spawned[0], state: 'waiting' });
    expect(text(asked)).toMatch(/^waiting: asker \[sess_\w+\]: waiting: permission/);
    expect(text(await call('get_session', { id: spawned[0] }))).toContain('waiting for:');
    expect((await call('answer', { id: spawned[0], choice: 1 })).isError).toBeFalsy();
    await until(
      // The transcript, not the screen: the asker clears its screen once answered.
      async () => text(await call('read_transcript', { id: spawned[0] })).includes('answered:[1]'),
      20_000,
      'the answer in the asker’s transcript',
    );
    // The thinker shows its working screen and prints nothing more: idle, as the wait reports.
    const still = await call('wait', { ids: [spawned[1]], states: ['idle', 'ended'], timeoutSecs: 40 });
    expect(data<WaitResult>(still)).toMatchObject({ matched: true, sessionId: spawned[1], state: 'idle' });

    const worktree = join(repo, '.maestro', 'worktrees', editorId);
    await until(() => existsSync(join(worktree, '.done')), 10_000, 'the editor’s change');
    const diff = await call('get_diff', { id: editorId });
    expect(text(diff)).toContain('modified app.ts +1 -1');
    const merged = await call('finish_session', { id: editorId, action: 'merge', message: 'the answer' });
    expect(merged.isError, text(merged)).toBeFalsy();
    expect(git(repo, 'show', 'HEAD:app.ts')).toBe('export const answer = 42;');

    const listed = text(await call('list_sessions', { active: true }));
    expect(listed).toContain('asker');
    expect(listed).not.toContain('editor [');
  }, 120_000);

  it('is refused what its scope forbids: another project, more children than allowed, deleting what it did not spawn', async () => {
    const other = await admin.sessions.create({ projectId: 'proj_other', name: 'not-yours' });
    const deleting = await call('delete_session', { id: other.id });
    expect(deleting.isError).toBe(true);
    expect(text(deleting)).toContain('forbidden: orchestrator');
    expect((await admin.sessions.get(other.id)).id).toBe(other.id);
    const elsewhere = await call('spawn_session', { projectId: 'proj_other', command: ['sleep', '300'] });
    expect(text(elsewhere)).toContain('its own project proj_own only');

    // Two live children (the asker and the thinker) and a limit of 3: one more, then refused.
    expect((await call('spawn_session', { projectId: 'proj_own', command: ['sleep', '300'] })).isError).toBeFalsy();
    const over = await call('spawn_session', { projectId: 'proj_own', command: ['sleep', '300'] });
    expect(over.isError).toBe(true);
    expect(text(over)).toContain('(MAESTRO_MAX_CHILDREN) limit reached: 3 of 3');
  });

  it('serves the same tools over Streamable HTTP at /mcp, behind the same token checks', async () => {
    const http = new Client({ name: 'http-orchestrator', version: '1.0.0' });
    await http.connect(
      new StreamableHTTPClientTransport(new URL(`${url}/mcp`), {
        requestInit: { headers: { authorization: `Bearer ${issueSessionToken(TOKEN, boss.id)}` } },
      }),
    );
    cleanup.add(() => http.close());
    expect((await http.listTools()).tools.map((t) => t.name).sort()).toEqual(TOOLS);
    const listed = (await http.callTool({ name: 'list_sessions', arguments: {} })) as CallToolResult;
    expect(text(listed)).toContain('boss');
    expect(text(listed)).not.toContain('not-yours');
    const refused = (await http.callTool({ name: 'get_session', arguments: { id: 'sess_nope' } })) as CallToolResult;
    expect(refused.isError).toBe(true);

    const anonymous = await fetch(`${url}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(anonymous.status).toBe(401);
    // Stateless: no server-sent stream to open, answered in the error shape every route uses.
    const get = await fetch(`${url}/mcp`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(get.status).toBe(405);
    expect(await get.json()).toMatchObject({ code: 'method_not_allowed' });
  });
});
