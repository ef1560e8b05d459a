import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errorAnswer } from './errors.js';

/** Who may call the server: the shared token (none when empty) and the browser origins allowed besides its own. */
export interface AccessPolicy {
  /** `MAESTRO_TOKEN`; empty means no token is asked (loopback only, see {@link requireTokenOffLoopback}). */
  token: string;
  /** Origins (`scheme://host:port`) allowed to call from a browser besides the server's own. */
  allowedOrigins: readonly string[];
}

/** Paths served without a token: the dashboard's static files hold no data (the data comes from `/api`). */
const PUBLIC_PATH = /^\/(?:$|index\.html$|assets\/|favicon)/;

/**
 * Whether `host` (a bind address or name) only accepts connections from this machine:
 * `localhost`, 127.0.0.0/8 or ::1.
 */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  if (h === 'localhost') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  return h === '::1';
}

/**
 * Refuses to serve beyond this machine without a token (issue #10: listening on another address
 * requires `MAESTRO_TOKEN`).
 * @throws Error naming `MAESTRO_TOKEN` and the address when `host` is not loopback and `token` is empty
 */
export function requireTokenOffLoopback(host: string, token: string): void {
  if (!isLoopback(host) && token === '')
    throw new Error(
      `MAESTRO_TOKEN (or --token) is required to listen on ${host}: anyone who can reach it could run commands as you`,
    );
}

/** The token a request carries: `Authorization: Bearer <token>`, or `?token=` (browsers cannot set headers on a WebSocket). */
function presentedToken(req: FastifyRequest): string | undefined {
  const header = req.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice('Bearer '.length).trim();
  const query = req.query as Record<string, unknown> | undefined;
  return typeof query?.token === 'string' ? query.token : undefined;
}

/** Constant-time equality: both sides are hashed first, so neither content nor length leaks through timing. */
export function tokensEqual(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * Whether a browser `origin` may call this server: its own origin (the `Host` it was reached at),
 * or one of `allowed`. Requests without an `Origin` header come from programs, not pages, and pass.
 */
export function originAllowed(origin: string | undefined, host: string | undefined, allowed: readonly string[]): boolean {
  if (origin === undefined) return true;
  if (allowed.includes(origin)) return true;
  try {
    // Compared as URLs, so a default port written out (`:80`) on one side still matches.
    const own = new URL(origin);
    return host !== undefined && own.host === new URL(`${own.protocol}//${host}`).host;
  } catch {
    return false;
  }
}

/**
 * A WebSocket upgrade refused before the upgrade: the answer goes out on the raw socket, which
 * then closes. The server no longer tracks an upgrade's socket, so left open it would outlive
 * `close()`.
 */
function closeAfterReply(req: FastifyRequest, reply: FastifyReply): void {
  if (req.headers.upgrade?.toLowerCase() !== 'websocket') return;
  reply.header('connection', 'close');
  reply.raw.once('finish', () => req.raw.socket.destroy());
}

/**
 * Checks every request, HTTP and WebSocket alike, before routing: a foreign browser origin gets
 * 403 `origin_forbidden` (cross-site requests and WebSocket hijacking); with a token configured,
 * a request without the right one gets 401 `unauthorized`, except the dashboard's static files.
 */
export function installAccessControl(app: FastifyInstance, policy: AccessPolicy): void {
  app.addHook('onRequest', async (req, reply) => {
    if (!originAllowed(req.headers.origin, req.headers.host, policy.allowedOrigins)) {
      closeAfterReply(req, reply);
      return reply
        .code(403)
        .send(
          errorAnswer(
            'origin_forbidden',
            `origin ${req.headers.origin} may not call this server; add it to MAESTRO_ALLOWED_ORIGINS`,
            { origin: req.headers.origin },
          ),
        );
    }
    const given = presentedToken(req);
    // Checked here (or not needed); routes validate their query strictly and must not see it.
    delete (req.query as Record<string, unknown> | undefined)?.token;
    if (policy.token === '' || PUBLIC_PATH.test(req.url.split('?')[0] as string)) return;
    if (given === undefined || !tokensEqual(given, policy.token)) {
      closeAfterReply(req, reply);
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer realm="maestro"')
        .send(
          errorAnswer(
            'unauthorized',
            given === undefined
              ? 'this server requires a token: send "Authorization: Bearer <MAESTRO_TOKEN>" (WebSocket: ?token=)'
              : 'wrong token',
          ),
        );
    }
  });
}
