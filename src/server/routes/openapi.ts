import type { FastifyInstance } from 'fastify';
import { mount } from './mount.js';

/** `GET /api/openapi.json`: the OpenAPI 3.1 document `@fastify/swagger` derives from the declared routes. */
export function openApiRoutes(app: FastifyInstance): void {
  mount(app, 'GET /api/openapi.json', async () => app.swagger() as unknown as Record<string, unknown>);
}
