import { type Kysely, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { TmuxSessionManager } from '../../src/runtime/tmux.js';
import { Cleanup, testMaestro, tmuxSocket } from '../helpers.js';

/** The store's own SQLite connection (it keeps its Kysely handle to itself), to make it full or read-only. */
function connectionOf(store: unknown): Kysely<unknown> {
  return (store as { db: Kysely<unknown> }).db;
}

describe('faults are named (issue #16.8)', () => {
  let cleanup: Cleanup;
  afterEach(() => cleanup.run());

  it('with tmux missing, health is not ok and names it, and the reconcile error says tmux was not found', async () => {
    cleanup = new Cleanup();
    const runtime = new TmuxSessionManager({ socket: tmuxSocket(cleanup), tmuxBin: '/nonexistent/bin/tmux' });
    const m = await testMaestro(cleanup, {}, { runtime });
    const report = await m.reconciler.reconcile();
    expect(report.checked).toBe(false);
    expect(report.error).toContain('tmux was not found (/nonexistent/bin/tmux)');
    const health = (await m.app.inject({ url: '/api/health' })).json();
    expect(health.ok).toBe(false);
    expect(health.problems.join('\n')).toContain('tmux was not found');
    expect(health.runtime.lastReconcile.error).toContain('tmux was not found');
  });

  it('a full database answers 507 storage_full, a read-only one 503 storage_read_only; nothing changes', async () => {
    cleanup = new Cleanup();
    const m = await testMaestro(cleanup);
    await m.services.projects.create({ id: 'proj_f', name: 'f', repoPath: m.dir });
    const before = JSON.stringify(await m.services.projects.list());
    const create = () =>
      m.app.inject({ method: 'POST', url: '/api/projects', payload: { name: 'x'.repeat(150), repoPath: m.dir } });
    const db = connectionOf(m.services.store);
    const pages = (await sql<{ page_count: number }>`pragma page_count`.execute(db)).rows[0]?.page_count;
    await sql.raw(`pragma max_page_count = ${pages}`).execute(db);
    let full = await create();
    // A few writes may still fit in free pages; the database fills up soon after.
    for (let i = 0; i < 200 && full.statusCode === 201; i++) full = await create();
    expect(full.statusCode).toBe(507);
    expect(full.json()).toMatchObject({ code: 'storage_full' });
    expect(full.body).not.toContain('SQLITE');
    await sql.raw('pragma max_page_count = 1073741823').execute(db);
    for (const p of await m.services.projects.list()) if (p.id !== 'proj_f') await m.services.projects.delete(p.id);
    expect(JSON.stringify(await m.services.projects.list())).toBe(before);

    await sql.raw('pragma query_only = 1').execute(db);
    const readOnly = await create();
    expect(readOnly.statusCode).toBe(503);
    expect(readOnly.json()).toMatchObject({ code: 'storage_read_only' });
    expect((await m.app.inject({ url: '/api/projects' })).statusCode).toBe(200);
    await sql.raw('pragma query_only = 0').execute(db);
    expect(JSON.stringify(await m.services.projects.list())).toBe(before);
  });
});
