import type { z } from 'zod';

/** An HTTP method the API uses. */
export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/**
 * A route's key in `API`: its method and path, e.g. `GET /api/sessions/:id` (Fastify's `:param`
 * form; OpenAPI shows it as `{id}`). The key is the route's identity: the server mounts by it and
 * the client calls by it, so the client needs no runtime import of the schemas (the dashboard
 * bundles no zod).
 */
export type RouteKey = `${HttpMethod} /${string}`;

/**
 * One HTTP route of the API, declared once (docs/design.md §Wire conventions) under its
 * {@link RouteKey}: the server mounts it with request validation and response serialisation from
 * these schemas (src/server/routes/mount.ts), `@fastify/swagger` lists it in the OpenAPI document,
 * and the client calls it with types inferred from it (src/client/http.ts).
 */
export interface RouteSpec {
  /** The OpenAPI `operationId`. */
  readonly name: string;
  /** One line for the API reference. */
  readonly summary: string;
  /** The reference's section. */
  readonly tag: 'projects' | 'queue' | 'tasks' | 'sessions' | 'events' | 'server';
  readonly params?: z.ZodType;
  readonly query?: z.ZodType;
  /** The JSON body; `.prefault({})` where a request may send none (then it reads as `{}`). */
  readonly body?: z.ZodType;
  /** The success status; errors answer 4xx/5xx with {@link errorBodySchema}. */
  readonly status: 200 | 201 | 204;
  /** The success body (`z.undefined()` for 204). */
  readonly response: z.ZodType;
  /** The response's media type when it is not JSON. */
  readonly produces?: string;
}

/** Keeps each route's literal type, so the server and the client infer from its exact schemas. */
export const route = <const R extends RouteSpec>(spec: R): R => spec;

/**
 * Splits a {@link RouteKey} into its method and path.
 * @example routeOf('GET /api/sessions/:id') // { method: 'GET', path: '/api/sessions/:id' }
 */
export function routeOf(key: RouteKey): { method: HttpMethod; path: string } {
  const space = key.indexOf(' ');
  return { method: key.slice(0, space) as HttpMethod, path: key.slice(space + 1) };
}
