import type { FastifyInstance } from 'fastify';
import { openApiDocument } from '../openapi.js';

/** `GET /api/openapi.json`: the OpenAPI 3.1 document, built once from the zod schemas. */
export function openApiRoutes(app: FastifyInstance): void {
  const document = openApiDocument('0.1.0');
  app.get('/api/openapi.json', async () => document);
}
