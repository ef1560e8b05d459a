import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** Why a relay got no answer: the connection failed, or no answer's headers came in time. */
export class RelayFailure extends Error {
  constructor(
    readonly reason: 'unreachable' | 'no_answer',
    message: string,
  ) {
    super(message);
    this.name = 'RelayFailure';
  }
}

/**
 * `path` (with its query) at the node whose base URL is `baseUrl`: appended, not resolved against
 * it, since an advertised URL may carry a path prefix (behind a proxy).
 */
export function nodeUrl(baseUrl: string, path: string): URL {
  return new URL(baseUrl.replace(/\/+$/, '') + path);
}

/** What {@link relay} sends on, besides the request's method, path and query. */
export interface RelayOptions {
  /** Where to send it: a base URL (`http://host:port`, or with a path prefix behind a proxy). */
  baseUrl: string;
  /** The JSON body to send (the request's, as it was parsed); undefined or null: none. */
  body: unknown;
  /** Headers to add (the caller's `Authorization`, the forwarding mark). */
  headers: Record<string, string>;
  /** How long to wait for the answer's status and headers, in milliseconds. */
  headersTimeoutMs: number;
}

/**
 * Sends `req` on to another server — its method, path and query as they came, `options.body` as
 * JSON, `options.headers` — and answers `reply` with what comes back: its status, its content type
 * and its body, streamed as it arrives (a followed transcript flows through for as long as it
 * lasts). Asks for an uncompressed answer (`Accept-Encoding: identity`), so the body relayed is
 * what the content type says; this server's own compression then applies to it as to any answer.
 * When the client goes away, the request upstream is aborted.
 * @returns `reply`, sent (or, when the client left before any answer came, abandoned)
 * @throws RelayFailure when no answer came: `unreachable` (refused, reset, no route to it) or
 *   `no_answer` (no status and headers within `headersTimeoutMs`: a frozen or overloaded server)
 */
export function relay(req: FastifyRequest, reply: FastifyReply, options: RelayOptions): Promise<FastifyReply> {
  const target = nodeUrl(options.baseUrl, req.url);
  const payload = options.body === undefined || options.body === null ? undefined : Buffer.from(JSON.stringify(options.body));
  const headers: Record<string, string> = {
    ...options.headers,
    'accept-encoding': 'identity',
    ...(req.headers.accept ? { accept: req.headers.accept } : {}),
    ...(payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {}),
  };
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const upstream = send(target, { method: req.method, headers });
    let answer: IncomingMessage | undefined;
    let settled = false;
    const timer = setTimeout(
      () => upstream.destroy(new RelayFailure('no_answer', `it did not answer within ${options.headersTimeoutMs / 1000} s`)),
      options.headersTimeoutMs,
    );
    // The response's `close`: the client went away, or the answer is out (then nothing is left to abort).
    reply.raw.once('close', () => {
      clearTimeout(timer);
      if (!answer?.complete) upstream.destroy();
      if (settled) return;
      settled = true;
      // Nobody is left to answer: nothing more is done for this request.
      reply.hijack();
      resolve(reply);
    });
    // Kept for the whole exchange: a reset after the answer began also lands here (the body's
    // stream then fails, and the reply with it).
    upstream.on('error', (err) => {
      clearTimeout(timer);
      if (settled) return;
      settled = true;
      reject(err instanceof RelayFailure ? err : new RelayFailure('unreachable', `it could not be reached: ${err.message}`));
    });
    upstream.once('response', (res: IncomingMessage) => {
      clearTimeout(timer);
      if (settled) return void res.destroy();
      settled = true;
      answer = res;
      reply.code(res.statusCode ?? 502);
      const type = res.headers['content-type'];
      if (type) reply.type(type);
      if (res.statusCode === 204 || req.method === 'HEAD') {
        res.resume();
        resolve(reply.send());
      } else resolve(reply.send(res));
    });
    upstream.end(payload);
  });
}
