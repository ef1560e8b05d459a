import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cleanup, stubRuntime, testMaestro } from './helpers.js';

/** Cases per run: 10,000 in the suite (issue #10); FUZZ_RUNS changes it. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);

interface OpenApiOperation {
  requestBody?: { content: { 'application/json': { schema: JsonSchema } } };
  parameters?: { name: string; in: string }[];
}
interface JsonSchema {
  properties?: Record<string, JsonSchema>;
}
type Operation = { method: 'GET' | 'POST' | 'PATCH' | 'DELETE'; path: string; bodyKeys: string[]; queryKeys: string[] };

/**
 * Starts nothing: this test fuzzes the HTTP surface, and a valid spawn with a random command must
 * not run it on the test machine (tmux itself is tested with real commands elsewhere).
 */
const recordingRuntime = stubRuntime('fuzz');

const VALUES = [
  'idle',
  'implementing',
  'completed',
  'failed',
  'paused',
  'planning',
  'timed_out',
  'user_ended',
  'true',
  '0',
  '-1',
  '1e309',
  'NaN',
  '',
  ' ',
  '../../etc/passwd',
  '%00',
  '\u0000',
  '$(touch /tmp/pwned)',
  '__proto__',
  'constructor',
];

describe('every route under property-based fuzzing (fast-check)', () => {
  const cleanup = new Cleanup();
  let m: Awaited<ReturnType<typeof testMaestro>>;
  let operations: Operation[];
  const ids = { project: [] as string[], task: [] as string[], session: [] as string[] };

  /** Everything a request could change: the event log's end and every row, as one string. */
  const fingerprint = async (): Promise<string> => {
    const { store } = m.services;
    return JSON.stringify([
      await store.lastSeq(),
      await store.listProjects(),
      await store.listTasks({ limit: 10_000 }),
      await store.listSessions({ limit: 10_000 }),
    ]);
  };

  /** Keeps a few of each record around, since fuzzed deletes and ends use them up. */
  const replenish = async (): Promise<void> => {
    const { projects, tasks, sessions } = m.services;
    if ((await projects.list()).length < 3) {
      const p = await projects.create({ name: 'fuzz', repoPath: m.dir });
      ids.project.push(p.id);
    }
    // A live one: the fuzzed requests may have deleted any of those listed in `ids`.
    const projectId = (await projects.list())[0]?.id as string;
    if ((await tasks.list({})).length < 3) ids.task.push((await tasks.create({ projectId, title: 'fuzz' })).id);
    const live = await sessions.list({ active: true });
    if (live.sessions.length < 3) ids.session.push((await sessions.create({ projectId, taskIds: [] })).id);
  };

  beforeAll(async () => {
    m = await testMaestro(cleanup, { maxSessions: 20 }, { runtime: recordingRuntime });
    const spec = (await m.app.inject({ url: '/api/openapi.json' })).json() as {
      paths: Record<string, Record<string, OpenApiOperation>>;
    };
    operations = Object.entries(spec.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({
        method: method.toUpperCase() as Operation['method'],
        path,
        bodyKeys: Object.keys(op.requestBody?.content['application/json'].schema.properties ?? {}),
        queryKeys: (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
      })),
    );
    expect(operations.length).toBeGreaterThan(30);
    await replenish();
  });
  afterAll(() => cleanup.run());

  it(`answers ${RUNS.toLocaleString()} random requests with 2xx or 4xx, and a 4xx changes nothing`, async () => {
    const anyId = fc.oneof(
      fc.constantFrom('project', 'task', 'session').chain((kind) => fc.constantFrom(...ids[kind as keyof typeof ids])),
      fc.constantFrom('proj_missing', 'task_missing', 'sess_missing', 'sess_', 'x'.repeat(5000)),
      fc.string({ maxLength: 40 }),
      fc.string({ unit: 'binary', maxLength: 20 }),
    );
    const scalar = fc.oneof(
      fc.constantFrom(...VALUES),
      fc.string({ maxLength: 30 }),
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.constant('y'.repeat(70_000)),
    );
    const value = fc.oneof(
      { weight: 4, arbitrary: scalar },
      { weight: 1, arbitrary: fc.array(scalar, { maxLength: 4 }) },
      { weight: 1, arbitrary: fc.dictionary(fc.string({ maxLength: 10 }), scalar, { maxKeys: 3 }) },
      { weight: 1, arbitrary: anyId },
    );
    const request = fc
      .record({
        op: fc.constantFrom(...operations),
        id: anyId,
        taskId: anyId,
        extraKey: fc.option(fc.string({ maxLength: 12 }), { nil: undefined }),
        bodyKind: fc.constantFrom('fields', 'fields', 'fields', 'anything', 'malformed', 'none'),
        anything: fc.jsonValue({ maxDepth: 3 }),
        fieldValues: fc.array(value, { minLength: 12, maxLength: 12 }),
        fieldMask: fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
        queryValues: fc.array(fc.oneof(fc.constantFrom(...VALUES), fc.string({ maxLength: 12 })), {
          minLength: 12,
          maxLength: 12,
        }),
        queryMask: fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
      })
      .map((r) => {
        const path = r.op.path.replace('{id}', encodeURIComponent(r.id)).replace('{taskId}', encodeURIComponent(r.taskId));
        const query: Record<string, string> = {};
        r.op.queryKeys.forEach((key, i) => {
          if (r.queryMask[i % 12]) query[key] = r.queryValues[i % 12] as string;
        });
        if (r.extraKey !== undefined && r.queryMask[11]) query[r.extraKey] = 'x';
        const fields: Record<string, unknown> = {};
        r.op.bodyKeys.forEach((key, i) => {
          if (r.fieldMask[i % 12]) fields[key] = r.fieldValues[i % 12];
        });
        if (r.extraKey !== undefined && r.fieldMask[11]) fields[r.extraKey] = r.fieldValues[11];
        const payload =
          r.bodyKind === 'fields'
            ? JSON.stringify(fields)
            : r.bodyKind === 'anything'
              ? JSON.stringify(r.anything)
              : r.bodyKind === 'malformed'
                ? `${JSON.stringify(fields).slice(0, -1)},`
                : undefined;
        return { method: r.op.method, url: path, query, payload };
      });

    let before = await fingerprint();
    let served = 0;
    const statuses = new Map<number, number>();
    let writesAccepted = 0;
    await fc.assert(
      fc.asyncProperty(request, async ({ method, url, query, payload }) => {
        const res = await m.app.inject({
          method,
          url,
          query,
          payload,
          headers: payload === undefined ? {} : { 'content-type': 'application/json' },
        });
        served++;
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
        expect(res.statusCode, `${method} ${url} ${res.body.slice(0, 300)}`).toBeLessThan(500);
        if (res.statusCode >= 400) {
          // A refusal says what was wrong, in the API's error shape, and changed nothing.
          expect(res.json()).toMatchObject({ error: true, code: expect.any(String), message: expect.any(String) });
          expect(await fingerprint()).toBe(before);
        } else if (method !== 'GET') {
          writesAccepted++;
          await replenish();
          before = await fingerprint();
        }
      }),
      { numRuns: RUNS },
    );
    expect(served).toBe(RUNS);
    // The generator reaches past validation: writes are accepted, not only refused.
    expect(writesAccepted).toBeGreaterThan(RUNS / 100);
  }, 600_000);

  it('refuses oversized bodies with 413 and overlong ids and names with 400 naming the field', async () => {
    await replenish();
    const projectId = (await m.services.projects.list())[0]?.id as string;
    const before = await fingerprint();
    const huge = await m.app.inject({
      method: 'POST',
      url: '/api/sessions',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ projectId, featureRequest: 'z'.repeat(2 * 1024 * 1024) }),
    });
    expect(huge.statusCode).toBe(413);
    const longName = await m.app.inject({
      method: 'POST',
      url: '/api/sessions',
      payload: { projectId, name: 'n'.repeat(10_000) },
    });
    expect(longName.statusCode).toBe(400);
    expect(JSON.stringify(longName.json().details)).toContain('name');
    const longId = await m.app.inject({ url: `/api/sessions/sess_${'a'.repeat(10_000)}` });
    // Fastify's router refuses a path segment over 100 characters before any handler runs.
    expect(longId.statusCode).toBe(414);
    expect(longId.json()).toMatchObject({ error: true, code: expect.any(String) });
    expect(await fingerprint()).toBe(before);
  });
});
