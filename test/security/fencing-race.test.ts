import { afterAll, describe, expect, it } from 'vitest';
import type { Session } from '../../src/domain/index.js';
import { Cleanup, testMaestro } from '../helpers.js';
import { pgAdmin, pgSchemaUrl } from '../pg.js';

const schema = `maestro_fencing_${process.pid}`;
const pgUrl = await pgSchemaUrl(schema, 'the fencing race on PostgreSQL');
afterAll(async () => {
  if (pgUrl) await pgAdmin(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
});

/**
 * The race of issue #16.4: a paused session at version v gets three `implementing` moves and one
 * `completed` move, all at v, at once. Exactly one may win, and `implementing → completed` is a
 * move the state table forbids, so the session never ends completed after implementing.
 */
async function race(m: Awaited<ReturnType<typeof testMaestro>>, trial: number): Promise<void> {
  const sessions = m.services.sessions;
  const id = `sess_race_${trial}`;
  await sessions.create({ id, projectId: 'proj_race' });
  const paused = await sessions.transition(id, { status: 'paused' });
  const moves = ['implementing', 'implementing', 'completed', 'implementing'] as const;
  const results = await Promise.allSettled(moves.map((status) => sessions.transition(id, { status, version: paused.version })));
  const winners = results.flatMap((r, i) => (r.status === 'fulfilled' ? [moves[i]] : []));
  expect(winners, `trial ${trial}`).toHaveLength(1);
  for (const r of results)
    if (r.status === 'rejected') expect((r.reason as { code: string }).code).toMatch(/conflict|invalid_transition/);
  const final: Session = await sessions.get(id);
  expect(final.status, `trial ${trial}`).toBe(winners[0]);
  expect(final.version).toBe(paused.version + 1);
}

describe.each([
  ['SQLite', undefined],
  ['PostgreSQL', pgUrl],
] as const)('version fencing holds for ending too, on %s (issue #16.4)', (engine, db) => {
  it.skipIf(engine === 'PostgreSQL' && !db)(
    'over many concurrent trials: exactly one winner, never a forbidden move',
    async () => {
      const cleanup = new Cleanup();
      try {
        const m = await testMaestro(cleanup, db ? { db } : {});
        await m.services.projects.create({ id: 'proj_race', name: 'race', repoPath: m.dir });
        for (let trial = 0; trial < 40; trial++) await race(m, trial);
      } finally {
        await cleanup.run();
      }
    },
  );

  it.skipIf(engine === 'PostgreSQL' && !db)('an end with a stale version changes nothing', async () => {
    const cleanup = new Cleanup();
    try {
      const m = await testMaestro(cleanup, db ? { db } : {});
      await m.services.projects.create({ id: 'proj_stale', name: 'stale', repoPath: m.dir });
      const s = await m.services.sessions.create({ id: 'sess_stale', projectId: 'proj_stale' });
      await m.services.sessions.transition(s.id, { status: 'planning' });
      const stale = await m.app.inject({ method: 'POST', url: `/api/sessions/${s.id}/end`, payload: { version: s.version } });
      expect(stale.statusCode).toBe(409);
      expect((await m.services.sessions.get(s.id)).status).toBe('planning');
    } finally {
      await cleanup.run();
    }
  });
});
