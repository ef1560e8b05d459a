import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterEach, describe, expect, it } from 'vitest';
import { API } from '../src/domain/index.js';
import { Cleanup, testMaestro } from './helpers.js';

type Operation = {
  operationId?: string;
  requestBody?: { content: Record<string, { schema: object }> };
  parameters?: { schema: object }[];
  responses: Record<string, { content?: Record<string, { schema: object }> }>;
};

describe('the API reference, derived from the route declarations (src/domain/api.ts)', () => {
  let cleanup = new Cleanup();
  afterEach(() => cleanup.run());

  it('lists every declared route once, with JSON Schemas that compile', async () => {
    cleanup = new Cleanup();
    const m = await testMaestro(cleanup);
    const doc = (await m.app.inject({ url: '/api/openapi.json' })).json() as {
      openapi: string;
      paths: Record<string, Record<string, Operation>>;
    };
    expect(doc.openapi).toBe('3.1.0');
    const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({ key: `${method.toUpperCase()} ${path}`, op })),
    );
    const declared = Object.entries(API).map(([key, r]) => ({ name: r.name, key: key.replace(/:(\w+)/g, '{$1}') }));
    expect(operations.map((o) => o.key).sort()).toEqual(declared.map((d) => d.key).sort());
    for (const { name, key } of declared) expect(operations.find((o) => o.key === key)?.op.operationId).toBe(name);

    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    for (const { key, op } of operations) {
      const schemas = [
        ...Object.values(op.requestBody?.content ?? {}).map((c) => c.schema),
        ...(op.parameters ?? []).map((p) => p.schema),
        ...Object.values(op.responses).flatMap((r) => Object.values(r.content ?? {}).map((c) => c.schema)),
      ];
      for (const schema of schemas) expect(() => ajv.compile(schema), key).not.toThrow();
    }
    expect(doc.paths['/metrics']?.get?.responses['200']?.content).toHaveProperty('text/plain');
    expect(doc.paths['/api/tasks/{id}']?.delete?.responses['204']?.content).toBeUndefined();
    // The routes only a session's node serves say they may refuse as the wrong node (node-forwarding.ts).
    const wrongNode = (path: string, method: string) =>
      (doc.paths[path]?.[method]?.responses['409'] as { description?: string } | undefined)?.description ?? '';
    expect(wrongNode('/api/sessions/{id}/output', 'get')).toContain('wrong_node');
    expect(wrongNode('/api/sessions/{id}/terminal', 'get')).toContain('wrong_node');
    expect(wrongNode('/api/sessions/{id}', 'delete')).toContain('wrong_node');
    expect(wrongNode('/api/sessions/{id}', 'get')).toBe('');
  });

  it('serves the browsable reference at /api/docs, behind the token like the rest of /api', async () => {
    cleanup = new Cleanup();
    const m = await testMaestro(cleanup, { token: 'docs-token' });
    const auth = { authorization: 'Bearer docs-token' };
    expect((await m.app.inject({ url: '/api/docs' })).statusCode).toBe(401);
    expect((await m.app.inject({ url: '/api/docs/static/index.html' })).statusCode).toBe(401);
    const page = await m.app.inject({ url: '/api/docs', headers: auth });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect((await m.app.inject({ url: '/api/docs/json', headers: auth })).json()).toMatchObject({ openapi: '3.1.0' });
    // A foreign page still cannot read it.
    const foreign = await m.app.inject({ url: '/api/docs', headers: { ...auth, origin: 'https://evil.example' } });
    expect(foreign.statusCode).toBe(403);
  });
});
