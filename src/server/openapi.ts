import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';

/** Where the browsable API reference is served (behind the same access control as the rest of `/api`). */
export const API_DOCS_PREFIX = '/api/docs';

/**
 * Registers the OpenAPI 3.1 document (`@fastify/swagger`, built from each route's zod schemas by
 * `fastify-type-provider-zod`'s transform) and the API reference at {@link API_DOCS_PREFIX}
 * (`@fastify/swagger-ui`, its assets served from the package, none fetched from elsewhere).
 * Must run before any route is added: the document lists the routes added after it.
 */
export async function registerApiDocs(app: FastifyInstance, version: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Maestro', version, description: 'Session lifecycle server for AI coding agents' },
      components: {
        securitySchemes: { token: { type: 'http', scheme: 'bearer', description: 'MAESTRO_TOKEN, when the server has one' } },
      },
      security: [{ token: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: API_DOCS_PREFIX, staticCSP: true });
}
