import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MaestroClient } from '../src/client/index.js';
import { BIN, Cleanup, testMaestro } from './helpers.js';

describe('OpenAPI, session metadata schema, export and import', () => {
  const cleanup = new Cleanup();
  let m: Awaited<ReturnType<typeof testMaestro>>;
  let url: string;
  let client: MaestroClient;
  const cli = (...args: string[]) => execa(process.execPath, [BIN, '--url', url, ...args], { cwd: m.dir, reject: false });

  beforeAll(async () => {
    m = await testMaestro(cleanup);
    url = await m.listen();
    client = new MaestroClient({ baseUrl: url });
    await client.projects.create({ id: 'proj_meta', name: 'meta', repoPath: m.dir });
    await client.tasks.create({ id: 'task_meta', projectId: 'proj_meta', title: 'write the docs' });
  });
  afterAll(() => cleanup.run());

  it('serves an OpenAPI 3.1 document generated from the zod schemas', async () => {
    const doc = (await client.openApi()) as {
      openapi: string;
      paths: Record<
        string,
        Record<
          string,
          { requestBody?: { content: Record<string, { schema: { properties: Record<string, unknown>; required?: string[] } }> } }
        >
      >;
    };
    expect(doc.openapi).toBe('3.1.0');
    for (const path of [
      '/api/sessions',
      '/api/sessions/spawn',
      '/api/sessions/{id}/transition',
      '/api/projects/{id}/complete',
      '/api/queue',
      '/api/tasks/{id}',
    ]) {
      expect(Object.keys(doc.paths)).toContain(path);
    }
    const spawn = doc.paths['/api/sessions/spawn']?.post?.requestBody?.content['application/json']?.schema;
    expect(spawn?.properties.command).toMatchObject({ type: 'array', items: { type: 'string' } });
    expect(spawn?.required).toEqual(expect.arrayContaining(['projectId', 'command']));
  });

  it('exports metadata that validates against `maestro schema session`, and imports it back', async () => {
    const s = await client.sessions.create({
      projectId: 'proj_meta',
      taskId: 'task_meta',
      name: 'documented',
      statistics: { totalTasks: 4, completedTasks: 2 },
    });
    await client.sessions.transition(s.id, { status: 'planning', phase: 'plan' });
    await client.sessions.needsInput(s.id, { reason: 'question', message: 'Which tone?' });

    const schema = await cli('schema', 'session');
    expect(schema.exitCode).toBe(0);
    const file = join(m.dir, 'metadata.json');
    const exported = await cli('session', 'export', s.id, '--file', file);
    expect(exported.exitCode).toBe(0);
    const metadata = JSON.parse(readFileSync(file, 'utf8'));
    const validate = new Ajv2020({ strict: false }).compile(JSON.parse(schema.stdout));
    expect(validate(metadata), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...metadata, status: 'sleeping' })).toBe(false);

    await client.sessions.delete(s.id);
    const imported = await cli('-o', 'json', 'session', 'import', file);
    expect(imported.stderr).toBe('');
    expect(JSON.parse(imported.stdout)).toEqual(metadata);
    expect(await client.sessions.get(s.id)).toEqual(metadata);
    expect((await client.tasks.get('task_meta')).sessionIds).toEqual([s.id]);

    const again = await cli('session', 'import', file);
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toContain('409 conflict');
    const bad = await client.sessions.import({ ...metadata, id: 'not-an-id' }).catch((e: unknown) => e);
    expect(bad).toMatchObject({ status: 400, details: { issues: [{ path: 'body.id' }] } });
  });
});
