import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  CommandNotFoundError,
  ConflictError,
  type ErrorBody,
  InvalidTransitionError,
  LimitExceededError,
  type MaestroError,
  NotFoundError,
  StorageError,
  toMaestroError,
  ValidationError,
  WrongNodeError,
} from '../domain/index.js';

/** The one JSON shape of every error answer (docs/design.md §Wire conventions), declared in the domain. */
export type { ErrorBody } from '../domain/index.js';

/** The single place mapping error classes to HTTP statuses (docs/design.md §Errors; §Conventions, convention 2). */
export function statusOf(err: MaestroError): number {
  if (err instanceof ValidationError || err instanceof CommandNotFoundError) return 400;
  if (err instanceof NotFoundError) return 404;
  if (err instanceof InvalidTransitionError || err instanceof ConflictError || err instanceof WrongNodeError) return 409;
  if (err instanceof LimitExceededError) return 429;
  if (err instanceof StorageError) return err.code === 'storage_full' ? 507 : 503;
  return 500;
}

/** A `token=` query parameter's value, wherever a message quotes a URL. */
const TOKEN_IN_URL = /([?&;]token=)[^&#\s"')]+/gi;

/**
 * The error body for `code` and `message` (`details` default `{}`); every error answer is built by
 * it. A token a quoted URL carries is blanked out: an answer never echoes a secret back (it may be
 * logged or shown by whatever made the request).
 */
export function errorAnswer(code: string, message: string, details: Record<string, unknown> = {}): ErrorBody {
  return { error: true, code, message: message.replace(TOKEN_IN_URL, '$1[redacted]'), details };
}

/** Builds the error body of `err`. */
export function errorBody(err: MaestroError): ErrorBody {
  return errorAnswer(err.code, err.message, err.details);
}

/**
 * Answers what Fastify refuses before routing — an undecodable URL (400 `bad_url`), a path segment
 * over 100 characters (414 `id_too_long`) — in the {@link ErrorBody} shape like everything else.
 */
export function answerFrameworkError(err: FastifyError, _req: FastifyRequest, reply: FastifyReply): void {
  const tooLong = err.code === 'FST_ERR_MAX_PARAM_LENGTH';
  reply
    .code(err.statusCode ?? 400)
    .send(errorAnswer(tooLong ? 'id_too_long' : 'bad_url', tooLong ? 'a path segment is over 100 characters' : err.message));
}

/** Installs the error and not-found handlers that answer in the {@link ErrorBody} shape. */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    // Fastify's own 4xx (malformed JSON, wrong content type, body too large) keep their status.
    if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500 && !('details' in err)) {
      // Fastify closes the connection at once on a body too large, while the client may still be
      // writing it: the client then reads a reset, not the 413. Kept open, Node reads the rest of
      // the body and drops it (a lingering close; the request timeout bounds how long).
      if (err.statusCode === 413) reply.removeHeader('connection');
      const code =
        err.code?.startsWith('FST_ERR_CTP_INVALID_JSON') || err instanceof SyntaxError
          ? 'invalid_json'
          : (err.code ?? 'bad_request').toLowerCase();
      return reply.status(err.statusCode).send(errorAnswer(code, err.message));
    }
    const maestroError = toMaestroError(err);
    const status = statusOf(maestroError);
    if (status >= 500) request.log.error({ err }, 'request failed');
    return reply.status(status).send(errorBody(maestroError));
  });
  app.setNotFoundHandler((request, reply) => {
    reply
      .status(404)
      .send(
        errorAnswer('route_not_found', `no route ${request.method} ${request.url.split('?')[0]}`, { method: request.method }),
      );
  });
}

/** The answer of a plain GET on a WebSocket route: 426, saying what the route wants instead of an empty 404. */
export function upgradeRequired(reply: FastifyReply, route: string): FastifyReply {
  return reply
    .code(426)
    .header('upgrade', 'websocket')
    .send(errorAnswer('upgrade_required', `${route} is a WebSocket: connect with Upgrade: websocket`));
}
