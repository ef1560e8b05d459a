import { afterEach, describe, expect, it } from 'vitest';
import {
  applyToSummaries,
  type SessionSummary,
  type SessionSummaryList,
  sessionSummary,
  type TypedEvent,
} from '../src/domain/index.js';
import { Cleanup, testMaestro } from './helpers.js';

type TestMaestro = Awaited<ReturnType<typeof testMaestro>>;

/** Lists at scale (issue #24.1–2): summaries by default, keyset cursor pages, totals, and the snapshot-and-stream contract. */
describe('session lists: summaries, cursor pages and totals', () => {
  let cleanup: Cleanup;
  let m: TestMaestro;
  afterEach(() => cleanup.run());

  const get = async (url: string) => {
    const res = await m.app.inject({ method: 'GET', url });
    // biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field
    return { status: res.statusCode, body: res.json() as any, bytes: res.rawPayload.length };
  };
  const page = async (query: string) => (await get(`/api/sessions?${query}`)).body as SessionSummaryList;

  async function setup(): Promise<void> {
    cleanup = new Cleanup();
    m = await testMaestro(cleanup, { maxSessions: 10_000, sessionTimeoutSecs: 3600 });
    for (const id of ['proj_a', 'proj_b'])
      await m.app.inject({ method: 'POST', url: '/api/projects', payload: { id, name: id, repoPath: m.dir } });
  }
  const create = (body: object) => m.services.sessions.create({ projectId: 'proj_a', ...body });

  it('answers summaries by default, full rows without output with view=full, and output only when asked', async () => {
    await setup();
    const s = await create({ name: 'named', statistics: { totalTasks: 3 } });
    await m.services.sessions.end(s.id, 'failed', { exitCode: 2, output: ['the last line'] });
    await create({});
    const summaries = await page('');
    expect(summaries.sessions[1]).toEqual(sessionSummary(await m.services.sessions.get(s.id)));
    expect(summaries.sessions[1]).toMatchObject({ name: 'named', endReason: 'failed', exitCode: 2, agentState: null });
    // Keys of what is not the case are left out: the unnamed live one has no name, end or exit code.
    expect(Object.keys(summaries.sessions[0] as object).sort()).toEqual(
      ['agentState', 'createdAt', 'id', 'lastActivityAt', 'projectId', 'status', 'taskIds', 'version'].sort(),
    );
    const full = (await get('/api/sessions?view=full')).body.sessions;
    expect(full[1]).toMatchObject({ id: s.id, statistics: { totalTasks: 3 } });
    expect(full[1]).not.toHaveProperty('output');
    const withOutput = (await get('/api/sessions?view=full&include=output')).body.sessions;
    expect(withOutput[1].output).toEqual(['the last line']);
    const refused = await get('/api/sessions?include=output');
    expect(refused.status).toBe(400);
    expect(refused.body.details.issues[0].path).toBe('query.include');
  });

  it('pages with a cursor, every session exactly once while others are created and deleted, and counts the total', async () => {
    await setup();
    const ids: string[] = [];
    for (let i = 0; i < 230; i++) {
      ids.push((await create({ ...(i % 3 === 0 ? { projectId: 'proj_b' } : {}) })).id);
      if (i % 7 === 0) m.clock.advance(1); // some share a creation millisecond: the id breaks the tie
    }
    const seen: string[] = [];
    const deleted = new Set<string>();
    let cursor: string | null = null;
    let pages = 0;
    do {
      const body: SessionSummaryList = await page(`limit=40${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...body.sessions.map((s) => s.id));
      pages++;
      // Meanwhile: a new session (newer, so before the cursor) and one not yet listed deleted.
      m.clock.advance(1);
      ids.push((await create({})).id);
      const victim = ids.find((id) => !seen.includes(id) && !deleted.has(id) && ids.indexOf(id) < 230);
      if (victim) {
        await m.services.sessions.delete(victim);
        deleted.add(victim);
      }
      expect(body.total).toBe(230 + pages - 1 - (deleted.size - (victim ? 1 : 0)));
      cursor = body.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    const survivors = ids.slice(0, 230).filter((id) => !deleted.has(id));
    expect(seen.filter((id) => ids.indexOf(id) < 230).sort()).toEqual(survivors.sort());

    // Totals follow the filters, not the page.
    const inB = ids.slice(0, 230).filter((id, i) => i % 3 === 0 && !deleted.has(id)).length;
    expect((await page('projectId=proj_b&limit=5')).total).toBe(inB);
    expect((await page('projectId=proj_b&limit=5')).sessions).toHaveLength(5);
    expect((await page(`projectId=proj_b&limit=${inB}`)).nextCursor).toBeNull();
  });

  it('refuses a cursor it did not make, naming it', async () => {
    await setup();
    for (const cursor of ['bm90LWEtY3Vyc29y', 'x', `${Buffer.from('12:proj_x').toString('base64url')}`, '%00']) {
      const answer = await get(`/api/sessions?cursor=${cursor}`);
      expect(answer.status, cursor).toBe(400);
      expect(answer.body.details.issues[0].path).toBe('query.cursor');
    }
  });

  it('rebuilds from summaries plus events the same list a fresh read gives', async () => {
    await setup();
    const task = await m.services.tasks.create({ projectId: 'proj_a', title: 't' });
    const parent = await create({ name: 'boss', role: 'orchestrator' });
    const kept = await create({ parentSessionId: parent.id });
    const stale = await create({ name: 'idle one' });
    const snapshot = await page('limit=1000');
    const state = new Map<string, SessionSummary>(snapshot.sessions.map((s) => [s.id, s]));

    // A day of changes: new sessions, links, agent states, updates, an end, a bulk end, deletes.
    const fresh = await create({ taskId: task.id });
    await m.services.sessions.linkTask(kept.id, task.id);
    await m.services.sessions.agentStates.set(
      kept.id,
      { state: 'waiting', waitingFor: { reason: 'permission', message: 'May I?' } },
      { source: 'hook', activity: true },
    );
    await m.services.sessions.update(fresh.id, { statistics: { model: 'claude-sonnet-4-5', costUsd: 0.42 } });
    await m.services.sessions.end(fresh.id, 'completed', { exitCode: 0, note: 'done' });
    await m.services.sessions.delete(parent.id);
    m.clock.advance(3599 * 1000);
    await m.services.sessions.touch(kept.id);
    m.clock.advance(2000);
    await m.sweeper.sweep(); // times out the idle one in bulk
    expect((await m.services.sessions.get(stale.id)).endReason).toBe('timed_out');

    const events = (await m.services.store.listEvents(snapshot.seq, 100_000)) as TypedEvent[];
    for (const event of events) applyToSummaries(state, event);
    const now = await page('limit=1000');
    expect([...state.values()].sort((a, b) => a.id.localeCompare(b.id))).toEqual(
      [...now.sessions].sort((a, b) => a.id.localeCompare(b.id)),
    );
    expect(state.get(kept.id)).not.toHaveProperty('parentSessionId');
  });

  it('lists tasks without description and timeline, whole ones with view=full', async () => {
    await setup();
    await m.services.tasks.create({ projectId: 'proj_a', title: 't', description: 'a long story' });
    const [summary] = (await get('/api/tasks')).body.tasks;
    expect(summary).toMatchObject({ title: 't', status: 'todo', sessionIds: [] });
    expect(summary).not.toHaveProperty('timeline');
    expect(summary).not.toHaveProperty('description');
    const [whole] = (await get('/api/tasks?view=full')).body.tasks;
    expect(whole).toMatchObject({ description: 'a long story', timeline: [{ type: 'created' }] });
  });

  it('keeps a summary under 350 bytes', async () => {
    await setup();
    const task = await m.services.tasks.create({ projectId: 'proj_a', title: 't' });
    const live = await create({ taskId: task.id });
    const ended = await create({ name: 'a session with a name' });
    await m.services.sessions.end(ended.id, 'terminal_closed', { exitCode: 1 });
    for (const s of (await page('')).sessions) {
      expect(JSON.stringify(s).length, s.id).toBeLessThanOrEqual(350);
    }
    expect(live.id).toBeDefined();
  });
});
