import type { FastifyInstance, FastifyReply, FastifyRequest, FastifySchema, RouteOptions } from 'fastify';
import { createSerializerCompiler } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import { API, type ApiRouteKey, errorBodySchema, parseInput, type RouteSpec, routeOf } from '../../domain/index.js';

/** What a part of a request holds once validated: the schema's output, or `undefined` when the route declares none. */
type Part<R, K extends string> = R extends { readonly [P in K]: infer S extends z.ZodType } ? z.output<S> : undefined;

/** A request to route `R`, its params, query and body validated and typed by `R`'s schemas. */
export interface RouteRequest<R extends RouteSpec> {
  params: Part<R, 'params'>;
  query: Part<R, 'query'>;
  body: Part<R, 'body'>;
  /** The Fastify request, for what the schemas do not cover. */
  raw: FastifyRequest;
}

/**
 * The code of route `R`: what it answers, checked against `R`'s response schema, or the reply
 * when it sent an answer of its own (the 426 of a plain GET on the WebSocket route).
 */
export type RouteHandler<R extends RouteSpec> = (
  req: RouteRequest<R>,
  reply: FastifyReply,
) => Promise<z.output<R['response']> | (R['status'] extends 204 ? unknown : never) | FastifyReply>;

/** Where each part of a request is named in error paths (`body.name`, `query.limit`, `params.id`). */
const PART_NAMES: Record<string, string> = { body: 'body', querystring: 'query', params: 'params', headers: 'headers' };

/**
 * Makes every route validate with {@link parseInput} (so its error shape, its field paths and its
 * refusal of NUL bytes and lone surrogates hold on every body, query and path parameter) and
 * serialise its answers through their zod schemas (`fastify-type-provider-zod`): a handler that
 * answers something its schema does not describe fails with 500 instead of leaking it.
 */
export function installZodCompilers(app: FastifyInstance): void {
  app.setValidatorCompiler<z.ZodType>(({ schema, httpPart }) => (data) => {
    // Fastify hands a missing body over as null; a body schema with `.prefault({})` reads it as `{}`.
    const value = httpPart === 'body' && data === null ? undefined : data;
    try {
      return { value: parseInput(schema, value, PART_NAMES[httpPart ?? 'body'] ?? 'body') };
    } catch (err) {
      return { error: err as Error };
    }
  });
  app.setSerializerCompiler(createSerializerCompiler());
}

/** The Fastify schema of `spec`: validation, serialisation and the OpenAPI operation, all from the one declaration. */
export function fastifySchema(spec: RouteSpec): FastifySchema & Record<string, unknown> {
  return {
    operationId: spec.name,
    summary: spec.summary,
    tags: [spec.tag],
    ...(spec.params ? { params: spec.params } : {}),
    ...(spec.query ? { querystring: spec.query } : {}),
    ...(spec.body ? { body: spec.body } : {}),
    ...(spec.produces ? { produces: [spec.produces] } : {}),
    response: { [spec.status]: spec.response, '4xx': errorBodySchema },
  };
}

/**
 * Serves route `key` (`METHOD /path`) of {@link API} with `handler`: the schemas come from its
 * declaration, the answer is sent with its declared status (nothing for 204). `options` adds
 * Fastify route options (the WebSocket handler of `/api/events`).
 */
export function mount<K extends ApiRouteKey>(
  app: FastifyInstance,
  key: K,
  handler: RouteHandler<(typeof API)[K]>,
  options: Partial<RouteOptions> = {},
): void {
  const spec: RouteSpec = API[key];
  const { method, path } = routeOf(key);
  app.route({
    method,
    url: path,
    schema: fastifySchema(spec),
    handler: async (req, reply) => {
      const request = { params: req.params, query: req.query, body: req.body, raw: req } as RouteRequest<(typeof API)[K]>;
      const result = await handler(request, reply);
      if (reply.sent) return reply;
      reply.code(spec.status);
      return spec.status === 204 ? reply.send() : result;
    },
    ...options,
  });
}
