import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueSessionToken } from '../../src/core/sessions/session-tokens.js';
import type { Session } from '../../src/domain/index.js';
import { Cleanup, testMaestro } from '../helpers.js';

const TOKEN = 'server-secret-token-0123456789';

/**
 * A session's own token carries its role (issue #25.2): a worker reports on and reads its own
 * session only; an orchestrator also drives its own project's sessions, spawns workers there up to
 * MAESTRO_MAX_CHILDREN (429 `limit_exceeded`), and deletes only what it spawned. Each scope refusal is 403 `forbidden` naming it.
 */
describe('what a session token may do', () => {
  const cleanup = new Cleanup();
  let m: Awaited<ReturnType<typeof testMaestro>>;
  let boss: Session;
  let worker: Session;
  let elsewhere: Session;
  beforeAll(async () => {
    m = await testMaestro(cleanup, { token: TOKEN, maxChildren: 2 });
    await m.services.projects.create({ id: 'proj_own', name: 'own', repoPath: m.dir });
    await m.services.projects.create({ id: 'proj_other', name: 'other', repoPath: m.dir });
    boss = await m.services.sessions.create({ projectId: 'proj_own', name: 'boss', role: 'orchestrator' });
    worker = await m.services.sessions.create({ projectId: 'proj_own', name: 'worker' });
    elsewhere = await m.services.sessions.create({ projectId: 'proj_other', name: 'elsewhere' });
  });
  afterAll(() => cleanup.run());

  const as = (session: Session) => async (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) => {
    const res = await m.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${issueSessionToken(TOKEN, session.id)}` },
      ...(payload ? { payload } : {}),
    });
    // biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field
    return { status: res.statusCode, body: (res.body ? res.json() : undefined) as any };
  };
  const spawn = (body: object = {}) => ({ projectId: 'proj_own', command: ['sleep', '300'], ...body });

  it('a worker reads its own session, and can neither spawn, read another session, nor open any terminal', async () => {
    const call = as(worker);
    expect((await call('GET', `/api/sessions/${worker.id}`)).status).toBe(200);
    const refused = await call('POST', '/api/sessions/spawn', spawn());
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'forbidden', message: expect.stringContaining('a worker') });
    expect((await call('GET', `/api/sessions/${boss.id}`)).status).toBe(403);
    expect((await call('GET', '/api/sessions')).status).toBe(403);
    expect((await call('GET', `/api/sessions/${boss.id}/terminal`)).status).toBe(403);
    expect((await m.services.sessions.list({ parentSessionId: worker.id })).sessions).toEqual([]);
  });

  it('an orchestrator lists and reads its own project only', async () => {
    const call = as(boss);
    const listed = await call('GET', '/api/sessions');
    expect(listed.status).toBe(200);
    expect(listed.body.sessions.map((s: { id: string }) => s.id).sort()).toEqual([boss.id, worker.id].sort());
    const other = await call('GET', '/api/sessions?projectId=proj_other');
    expect(other.status).toBe(403);
    expect(other.body.message).toContain('its own project proj_own only, not project proj_other');
    expect((await call('GET', `/api/sessions/${worker.id}`)).status).toBe(200);
    expect((await call('GET', `/api/sessions/${elsewhere.id}`)).status).toBe(403);
    expect((await call('POST', '/api/sessions/wait', { ids: [elsewhere.id], timeoutSecs: 0 })).status).toBe(403);
    expect((await call('POST', '/api/tasks', { projectId: 'proj_other', title: 'x' })).status).toBe(403);
    expect((await call('POST', '/api/tasks', { projectId: 'proj_own', title: 'x' })).status).toBe(201);
    expect((await call('GET', '/api/projects/proj_other')).status).toBe(403);
    expect((await call('DELETE', `/api/projects/proj_own`)).status).toBe(403);
  });

  it('an orchestrator spawns workers into its own project as their parent, up to its limit, and deletes only those', async () => {
    const call = as(boss);
    const first = await call('POST', '/api/sessions/spawn', spawn({ parentSessionId: worker.id }));
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ parentSessionId: boss.id, role: 'worker' });
    expect((await call('POST', '/api/sessions/spawn', spawn({ projectId: 'proj_other' }))).status).toBe(403);
    expect((await call('POST', '/api/sessions/spawn', spawn({ role: 'orchestrator' }))).status).toBe(403);
    expect((await call('POST', '/api/sessions/spawn', spawn())).status).toBe(201);
    const third = await call('POST', '/api/sessions/spawn', spawn());
    // The limit is checked with the insert, under the same lock as the other session limits.
    expect(third.status).toBe(429);
    expect(third.body).toMatchObject({ code: 'limit_exceeded', details: { limit: 2, current: 2, parentSessionId: boss.id } });
    expect(third.body.message).toContain(
      `live sessions started by orchestrator ${boss.id} (MAESTRO_MAX_CHILDREN) limit reached: 2 of 2`,
    );
    expect((await m.services.sessions.list({ parentSessionId: boss.id })).sessions).toHaveLength(2);

    // Ending one makes room; it may end, read and delete its own children, not a sibling.
    expect((await call('POST', `/api/sessions/${first.body.id}/end`, { reason: 'completed' })).status).toBe(200);
    expect((await call('POST', '/api/sessions/spawn', spawn())).status).toBe(201);
    const sibling = await call('DELETE', `/api/sessions/${worker.id}`);
    expect(sibling.status).toBe(403);
    expect(sibling.body.message).toContain('may delete the sessions it spawned only');
    expect((await call('DELETE', `/api/sessions/${first.body.id}`)).status).toBe(204);
    expect((await call('DELETE', `/api/sessions/${elsewhere.id}`)).status).toBe(403);
    expect((await m.services.sessions.get(elsewhere.id)).id).toBe(elsewhere.id);
  });

  it("also opens health, MCP and its own session's hooks; anything else is 403 naming the session and the request", async () => {
    for (const session of [worker, boss]) {
      const token = { authorization: `Bearer ${issueSessionToken(TOKEN, session.id)}` };
      expect((await m.app.inject({ url: '/api/health', headers: token })).statusCode).toBe(200);
      const mcp = await m.app.inject({
        method: 'POST',
        url: '/mcp',
        headers: { ...token, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        payload: { jsonrpc: '2.0', id: 1, method: 'tools/list' },
      });
      expect(mcp.statusCode).toBe(200);
      const hook = (about: Session) =>
        m.app.inject({
          method: 'POST',
          url: '/api/hooks/gemini',
          headers: { ...token, 'x-maestro-session': about.id, 'content-type': 'application/json' },
          payload: { hook_event_name: 'BeforeTool', tool_name: 'run_shell_command' },
        });
      expect((await hook(session)).statusCode).toBe(204);
      expect((await hook(elsewhere)).statusCode).toBe(403);
      const refused = await m.app.inject({ method: 'DELETE', url: '/api/projects/proj_other?x=1', headers: token });
      expect(refused.statusCode).toBe(403);
      expect(refused.json()).toEqual({
        error: true,
        code: 'forbidden',
        message: `this token is session ${session.id}'s own: it may report on and read that session only, not DELETE /api/projects/proj_other`,
        details: { sessionId: session.id },
      });
    }
    expect((await m.services.projects.get('proj_other')).id).toBe('proj_other');
  });
});
