import { createHash, timingSafeEqual } from 'node:crypto';
import { BlockList, isIP } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { verifySessionToken } from '../core/sessions/session-tokens.js';
import { HOOK_SESSION_HEADER } from '../domain/index.js';
import { errorAnswer } from './errors.js';
import { ORCHESTRATOR_ROUTES } from './scopes.js';

/**
 * Who may call the server (docs/design.md §Access policy): the shared token (none when empty), the
 * browser origins allowed besides its own, and the `Host` names it answers to.
 */
export interface AccessPolicy {
  /** `MAESTRO_TOKEN`; empty means no token is asked (loopback only, see {@link requireTokenOffLoopback}). */
  token: string;
  /** Origins (`scheme://host:port`) allowed to call from a browser besides the server's own. */
  allowedOrigins: readonly string[];
  /** Host names (without port, lower case) accepted besides loopback ones (`MAESTRO_ALLOWED_HOSTS`). */
  allowedHosts: readonly string[];
  /**
   * Whether the `Host` header is checked at all: always on a loopback bind (DNS rebinding), and
   * off loopback only when `allowedHosts` is given (the token guards such a server).
   */
  checkHost: boolean;
}

/**
 * The access policy of a server bound to `bindHost`: `allowedOrigins` and `allowedHosts` are
 * comma-separated lists as configured (`MAESTRO_ALLOWED_ORIGINS`, `MAESTRO_ALLOWED_HOSTS`).
 */
export function accessPolicy(bindHost: string, token: string, allowedOrigins: string, allowedHosts: string): AccessPolicy {
  const list = (text: string) =>
    text
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean);
  const hosts = list(allowedHosts).map((h) => h.toLowerCase());
  return {
    token,
    allowedOrigins: list(allowedOrigins),
    allowedHosts: hosts,
    checkHost: isLoopback(bindHost) || hosts.length > 0,
  };
}

/**
 * Paths served without a token: the dashboard's static files and its pages' addresses (each
 * answers `index.html`, so a deep link or a reload works) hold no data — the data comes from `/api`.
 */
const PUBLIC_PATH = /^\/(?:$|index\.html$|assets\/|favicon|sessions\/[^/]+(?:\/[a-z]+)?$|projects$|tasks$|activity$)/;

/** 127.0.0.0/8 and ::1; IPv4-mapped IPv6 forms (`::ffff:127.0.0.1`) are checked as IPv4. */
const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/**
 * Whether `host` (a bind address or a host name, IPv6 with or without brackets) only accepts
 * connections from this machine: `localhost`, 127.0.0.0/8, ::1 or ::ffff:127.0.0.0/104.
 */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost') return true;
  const family = isIP(h);
  return family !== 0 && LOOPBACK.check(h, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * The host name of a `Host` header (`name`, `name:port`, `[v6]`, `[v6]:port`), lower case and
 * without brackets; `undefined` when it is none of these.
 */
export function hostName(header: string): string | undefined {
  const match = /^\[([0-9a-fA-F:.]+)\](?::\d{1,5})?$/.exec(header) ?? /^([^:[\]\s/@]+)(?::\d{1,5})?$/.exec(header);
  return match?.[1]?.toLowerCase();
}

/**
 * Whether a request's `Host` header names this server: a loopback name or address, or one of
 * `allowed`. After a DNS rebinding a page's requests reach 127.0.0.1 under the attacker's own name,
 * so this, not the `Origin` check, is what refuses them (the fix of Jupyter Server and of Ollama
 * after CVE-2024-28224). A missing or malformed header is refused.
 */
export function hostAllowed(header: string | undefined, allowed: readonly string[]): boolean {
  const name = header === undefined ? undefined : hostName(header);
  return name !== undefined && (isLoopback(name) || allowed.includes(name));
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

/** Whether `req` asks to become a WebSocket. */
function isUpgrade(req: FastifyRequest): boolean {
  return req.headers.upgrade?.toLowerCase() === 'websocket';
}

/**
 * The token a request carries: `Authorization: Bearer <token>`, or `?token=` on a WebSocket
 * upgrade only (browsers cannot set headers on a WebSocket; elsewhere a token in a URL ends up in
 * histories and logs).
 */
function presentedToken(req: FastifyRequest): string | undefined {
  const header = req.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice('Bearer '.length).trim();
  const query = req.query as Record<string, unknown> | undefined;
  return isUpgrade(req) && typeof query?.token === 'string' ? query.token : undefined;
}

/**
 * The routes a session token opens, for its own session only (`:id` must be its session): what an
 * agent reports about itself, and what it reads back. Anything else answers 403 `forbidden`.
 */
const SESSION_TOKEN_ROUTES: ReadonlySet<string> = new Set([
  'GET /api/sessions/:id',
  'PATCH /api/sessions/:id',
  'POST /api/sessions/:id/transition',
  'POST /api/sessions/:id/end',
  'GET /api/sessions/:id/output',
  'POST /api/sessions/:id/needs-input',
  'POST /api/sessions/:id/input-given',
  'POST /api/sessions/:id/touch',
]);

/** Whether a session token of `sessionId` may make `req`. */
function sessionTokenAllows(req: FastifyRequest, sessionId: string): boolean {
  const route = `${req.method} ${req.routeOptions.url ?? ''}`;
  if (route === 'GET /api/health') return true;
  // MCP: each tool call is an API call made with this same token, checked as the route is.
  if (route === 'POST /mcp') return true;
  // A hook names its session in a header: its own only.
  if (route === 'POST /api/hooks/:agent') return req.headers[HOOK_SESSION_HEADER] === sessionId;
  return SESSION_TOKEN_ROUTES.has(route) && (req.params as Record<string, unknown> | undefined)?.id === sessionId;
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
  if (!isUpgrade(req)) return;
  reply.header('connection', 'close');
  reply.raw.once('finish', () => req.raw.socket.destroy());
}

/**
 * Checks every request, HTTP and WebSocket alike, before routing (docs/design.md §Access policy):
 * a `Host` that does not name this server gets 403 `host_not_allowed` (DNS rebinding); a foreign
 * browser origin 403 `origin_forbidden` (cross-site requests and WebSocket hijacking); with a token
 * configured, a request without the right one 401 `unauthorized`, except the dashboard's static
 * files; a session's own token (see `issueSessionToken`) opens its own session's routes, and an
 * orchestrator's the routes of `ORCHESTRATOR_ROUTES` within its scope (scopes.ts); anything else
 * 403 `forbidden`.
 */
export function installAccessControl(app: FastifyInstance, policy: AccessPolicy): void {
  app.addHook('onRequest', async (req, reply) => {
    const refuse = (status: number, code: string, message: string, details: Record<string, unknown> = {}) => {
      closeAfterReply(req, reply);
      return reply.code(status).send(errorAnswer(code, message, details));
    };
    if (policy.checkHost && !hostAllowed(req.headers.host, policy.allowedHosts)) {
      return refuse(
        403,
        'host_not_allowed',
        `Host ${JSON.stringify(req.headers.host ?? '')} is not a name of this server; to reach it under another name, add the name to MAESTRO_ALLOWED_HOSTS`,
        { host: req.headers.host ?? null },
      );
    }
    if (!originAllowed(req.headers.origin, req.headers.host, policy.allowedOrigins)) {
      return refuse(
        403,
        'origin_forbidden',
        `origin ${req.headers.origin} may not call this server; add it to MAESTRO_ALLOWED_ORIGINS`,
        { origin: req.headers.origin },
      );
    }
    const given = presentedToken(req);
    // Checked here (or not needed); routes validate their query strictly and must not see it.
    const query = req.query as Record<string, unknown> | undefined;
    const inQuery = typeof query?.token === 'string';
    delete query?.token;
    if (policy.token === '' || PUBLIC_PATH.test(req.url.split('?')[0] as string)) return;
    if (given !== undefined && tokensEqual(given, policy.token)) return;
    const sessionId = given === undefined ? undefined : verifySessionToken(policy.token, given);
    if (sessionId !== undefined) {
      if (sessionTokenAllows(req, sessionId)) return;
      // An orchestrator's routes: its scope is checked once the body is read (scopes.ts).
      if (ORCHESTRATOR_ROUTES.has(`${req.method} ${req.routeOptions.url ?? ''}`)) {
        req.sessionCaller = sessionId;
        return;
      }
      return refuse(
        403,
        'forbidden',
        `this token is session ${sessionId}'s own: it may report on and read that session only, not ${req.method} ${req.url.split('?')[0]}`,
        { sessionId },
      );
    }
    reply.header('www-authenticate', 'Bearer realm="maestro"');
    return refuse(
      401,
      'unauthorized',
      given !== undefined
        ? 'wrong token'
        : inQuery
          ? '?token= is accepted on WebSocket upgrades only: send "Authorization: Bearer <MAESTRO_TOKEN>"'
          : 'this server requires a token: send "Authorization: Bearer <MAESTRO_TOKEN>" (WebSocket: ?token=)',
    );
  });
}
