import type { z } from 'zod';
import type { RouteKey, RouteSpec } from '../domain/route-spec.js';
import { routeOf } from '../domain/route-spec.js';
import { MaestroApiError } from './errors.js';

/** The schema route `R` declares for part `K` (`params`, `query`, `body`), or `never`. */
type Declared<R, K extends string> = R extends { readonly [P in K]: infer S extends z.ZodType } ? S : never;

/** The query of route `R` as the server reads it (numbers and booleans, not strings); every field may be left out. */
export type RouteQuery<R extends RouteSpec> = Partial<z.output<Declared<R, 'query'>>>;

/** The body of route `R` as a caller writes it (fields with defaults may be left out). */
export type RouteBody<R extends RouteSpec> = z.input<Declared<R, 'body'>>;

/** What a call of route `R` takes: its path parameters, query and body, each only when `R` declares it. */
export type RouteInput<R extends RouteSpec> = ([Declared<R, 'params'>] extends [never]
  ? unknown
  : { params: z.input<Declared<R, 'params'>> }) &
  ([Declared<R, 'query'>] extends [never] ? unknown : { query?: RouteQuery<R> }) &
  ([Declared<R, 'body'>] extends [never] ? unknown : { body: z.input<Declared<R, 'body'>> });

/** What route `R` answers on success, as its response schema says (`undefined` for 204). */
export type RouteOutput<R extends RouteSpec> = z.output<R['response']>;

/** How the client reaches the server: base URL (no trailing slash), fetch, and the auth header. */
export interface Transport {
  baseUrl: string;
  fetch: typeof fetch;
  headers(): Record<string, string>;
}

/**
 * Sends a request to the route `key` (`METHOD /path`, a key of src/domain/api.ts) with `input`:
 * fills its path parameters (URL-encoded), sets the query fields given, sends the body as JSON.
 * @returns the response, its body unread, when its status is a success
 * @throws MaestroApiError with the server's `code`, `message` and `details` on any error status
 */
export async function sendRoute(transport: Transport, key: RouteKey, input: unknown): Promise<Response> {
  const { params, query, body } = input as { params?: Record<string, string>; query?: object; body?: unknown };
  const route = routeOf(key);
  const path = route.path.replace(/:(\w+)/g, (_, name: string) => encodeURIComponent(params?.[name] ?? ''));
  const url = new URL(transport.baseUrl + path);
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined) url.searchParams.set(key, String(value));
  }
  const response = await transport.fetch(url, {
    method: route.method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...transport.headers() },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.ok) return response;
  const text = await response.text();
  const data: unknown = text && response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : undefined;
  const err = (typeof data === 'object' && data !== null ? data : {}) as {
    code?: string;
    message?: string;
    details?: Record<string, unknown>;
  };
  throw new MaestroApiError(
    response.status,
    err.code ?? 'http_error',
    err.message ?? `${route.method} ${path} answered ${response.status}`,
    err.details,
  );
}

/**
 * Calls the route `key` with `input` (see {@link sendRoute}) and reads its answer.
 * @returns the parsed JSON answer (text when the server answers text); `undefined` for 204
 * @throws MaestroApiError with the server's `code`, `message` and `details` on any error status
 */
export async function callRoute<R extends RouteSpec>(
  transport: Transport,
  key: RouteKey,
  input: RouteInput<R>,
): Promise<RouteOutput<R>> {
  const response = await sendRoute(transport, key, input);
  if (response.status === 204) return undefined as RouteOutput<R>;
  const text = await response.text();
  const isJson = response.headers.get('content-type')?.includes('json') ?? false;
  return (text && isJson ? JSON.parse(text) : text || undefined) as RouteOutput<R>;
}
