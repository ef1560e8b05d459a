import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cleanup, testMaestro } from '../helpers.js';

describe('the input contract has no exceptions (issue #16.7)', () => {
  const cleanup = new Cleanup();
  let m: Awaited<ReturnType<typeof testMaestro>>;
  let exported: Record<string, unknown>;
  beforeAll(async () => {
    m = await testMaestro(cleanup);
    await m.services.projects.create({ id: 'proj_in', name: 'in', repoPath: m.dir });
    exported = (await m.services.sessions.create({ id: 'sess_export', projectId: 'proj_in' })) as unknown as Record<
      string,
      unknown
    >;
  });
  afterAll(() => cleanup.run());

  const post = (url: string, payload: unknown) => m.app.inject({ method: 'POST', url, payload: payload as object });
  const state = async () => JSON.stringify([(await m.services.sessions.list()).sessions, await m.services.projects.list()]);

  it('import refuses unknown fields at every level, and oversized lists, like every other route', async () => {
    const before = await state();
    for (const [payload, field] of [
      [{ ...exported, id: 'sess_i1', extra: 1 }, 'body.extra'],
      [{ ...exported, id: 'sess_i2', junk: Array.from({ length: 200_000 }, () => 0) }, 'body.junk'],
      [{ ...exported, id: 'sess_i3', runtime: { ...(exported.runtime as object), sneaky: true } }, 'body.runtime.sneaky'],
      [{ ...exported, id: 'sess_i4', taskIds: Array.from({ length: 1000 }, (_, i) => `task_${i}`) }, 'body.taskIds'],
    ] as const) {
      const answer = await post('/api/sessions/import', payload);
      expect(answer.statusCode, field).toBe(400);
      expect(
        answer.json().details.issues.map((i: { path: string }) => i.path),
        field,
      ).toContain(field);
    }
    expect(await state()).toBe(before);
  });

  it('refuses NUL bytes and lone surrogates in any text field with 400 naming the field', async () => {
    const before = await state();
    for (const [url, payload, field] of [
      ['/api/projects', { name: 'a\u0000b', repoPath: m.dir }, 'body.name'],
      ['/api/projects', { name: 'half \ud800 of a pair', repoPath: m.dir }, 'body.name'],
      ['/api/projects', { name: 'low \udc00 alone', repoPath: m.dir }, 'body.name'],
      ['/api/tasks', { projectId: 'proj_in', title: 'x', description: 'tail\udbff' }, 'body.description'],
      ['/api/sessions', { projectId: 'proj_in', featureRequest: 'a\u0000' }, 'body.featureRequest'],
      ['/api/sessions/sess_export/needs-input', { reason: 'question', message: '\u0000' }, 'body.message'],
      ['/api/sessions', { projectId: 'proj_in', 'key\u0000': 1 }, 'body.key\u0000'],
    ] as const) {
      const answer = await post(url, payload);
      expect(answer.statusCode, `${url} ${field}`).toBe(400);
      expect(answer.json().details.issues[0].path).toBe(field);
    }
    // A well-formed pair (an emoji) is text like any other.
    expect((await post('/api/projects', { id: 'proj_emoji', name: 'ok 😀', repoPath: m.dir })).statusCode).toBe(201);
    await m.services.projects.delete('proj_emoji');
    expect(await state()).toBe(before);
  });

  it('a repository path must exist, be absolute and hold no NUL', async () => {
    const before = await state();
    for (const repoPath of [join(m.dir, 'does-not-exist'), 'relative/dir', `${m.dir}\u0000x`]) {
      const answer = await post('/api/projects', { name: 'p', repoPath });
      expect(answer.statusCode, repoPath).toBe(400);
      expect(answer.json().details.issues[0].path).toBe('body.repoPath');
    }
    expect(await state()).toBe(before);
  });
});
