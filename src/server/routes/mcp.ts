import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { FastifyInstance } from 'fastify';
import { MaestroClient } from '../../client/index.js';
import { verifySessionToken } from '../../core/sessions/session-tokens.js';
import { buildMcpServer } from '../../mcp/tools.js';
import { errorAnswer } from '../errors.js';

/**
 * A `fetch` that answers from `app` itself (`inject`), with the caller's `Authorization`: the MCP
 * tools call the API in-process, and each call passes the same checks as from outside — token,
 * role and scope (scopes.ts).
 */
function fetchThrough(app: FastifyInstance, authorization: string | undefined): typeof fetch {
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((value, key) => {
      headers[key] = value;
    });
    const res = await app.inject({
      method: (init?.method ?? 'GET') as 'GET',
      url: url.pathname + url.search,
      headers: { ...headers, ...(authorization ? { authorization } : {}) },
      ...(typeof init?.body === 'string' ? { payload: init.body } : {}),
    });
    return new Response(res.statusCode === 204 ? null : new Uint8Array(res.rawPayload), {
      status: res.statusCode,
      headers: { 'content-type': String(res.headers['content-type'] ?? 'application/json') },
    });
  };
}

/**
 * `POST /mcp`: the Model Context Protocol over Streamable HTTP (docs/design.md §MCP), stateless —
 * each request gets a fresh server and transport, answered as JSON. Same host, origin and token
 * checks as every route (auth.ts); a session's own token reaches it, and its tool calls are then
 * checked as that session. `GET` and `DELETE` (server-sent streams, sessions) answer 405.
 */
export function mcpRoutes(app: FastifyInstance, serverToken: string, version: string): void {
  // Not in the OpenAPI document: MCP describes its own tools (tools/list).
  app.post('/mcp', { schema: { hide: true } }, async (req, reply) => {
    const authorization = req.headers.authorization;
    const given = authorization?.startsWith('Bearer ') ? authorization.slice('Bearer '.length).trim() : undefined;
    const caller = serverToken && given ? verifySessionToken(serverToken, given) : undefined;
    const client = new MaestroClient({ baseUrl: 'http://localhost', fetch: fetchThrough(app, authorization) });
    const server = buildMcpServer(client, { version, ...(caller ? { parentSessionId: caller } : {}) });
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    reply.hijack();
    reply.raw.once('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req.raw, reply.raw, req.body);
  });
  for (const method of ['GET', 'DELETE'] as const)
    app.route({
      method,
      url: '/mcp',
      schema: { hide: true },
      // In Maestro's error shape, as every route answers; MCP clients read the 405 alone.
      handler: async (_req, reply) =>
        reply
          .code(405)
          .header('allow', 'POST')
          .send(errorAnswer('method_not_allowed', 'this MCP endpoint is stateless: POST each JSON-RPC message')),
    });
}
