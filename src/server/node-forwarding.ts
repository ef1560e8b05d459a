import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  type ApiRouteKey,
  errorBodySchema,
  isTerminal,
  type Session,
  type SessionStatus,
  WrongNodeError,
  type WrongNodeReason,
} from '../domain/index.js';
import { isLiveStream } from './compression.js';
import { RelayFailure, relay } from './http-relay.js';
import type { Services } from './services.js';

/** The header a forwarded request carries: the node that forwarded it. Such a request is never forwarded again. */
export const FORWARDED_BY_HEADER = 'x-maestro-forwarded-by';

/**
 * How long a node waits for the status and headers of a request it forwarded, in milliseconds. A
 * node frozen (SIGSTOP, a stalled VM) still accepts connections (the kernel does), but answers
 * nothing: past this, the request is refused (409 `wrong_node`) or, for an end, served here.
 */
export const FORWARD_HEADERS_TIMEOUT_MS = 5000;

/** When a route needs the node that runs the session, and what it may do without it. */
export interface OwnerRule {
  /** Whether this request about `session` (its JSON body as validated) needs that node. */
  needsOwner(session: Session, body: unknown): boolean;
  /**
   * Whether this node may serve it itself when that node cannot be reached: ending and deleting
   * are how the sessions of a dead node are cleaned up (there is then no output to capture).
   */
  servedHereWhenDown?(body: unknown): boolean;
}

const live = (s: Session): boolean => !isTerminal(s.status);
/** Files stay on the node after the end: the transcript, the worktree or directory. */
const always = (): boolean => true;
const targetOf = (body: unknown): SessionStatus | undefined => (body as { status?: SessionStatus } | null)?.status;

/**
 * The routes only the node running a session can serve (docs/design.md §Forwarding), each with when:
 * what reads or drives its tmux (output, prompt, input, answer; a live session's only: an ended
 * one's output is kept in the database), its transcript and its worktree or directory (log, diff,
 * finish, restart, delete: these stay after the end), and its processes (an end captures the last
 * output and kills tmux; a pause stops the processes, a resume continues them). The browser
 * terminal is a WebSocket, forwarded by its own route (routes/terminal.ts) with {@link routeRequest}.
 */
export const OWNER_ROUTES: Partial<Record<ApiRouteKey, OwnerRule>> = {
  'GET /api/sessions/:id/output': { needsOwner: live },
  'GET /api/sessions/:id/log': { needsOwner: always },
  'GET /api/sessions/:id/prompt': { needsOwner: live },
  'POST /api/sessions/:id/input': { needsOwner: live },
  'POST /api/sessions/:id/answer': { needsOwner: live },
  'GET /api/sessions/:id/diff': { needsOwner: always },
  'POST /api/sessions/:id/finish': { needsOwner: always },
  // A restart starts the command again in the session's directory, which is on that node.
  'POST /api/sessions/:id/restart': { needsOwner: always },
  'POST /api/sessions/:id/transition': {
    // Other workflow moves only write the database: any node makes them.
    needsOwner: (s, body) => {
      const to = targetOf(body);
      return live(s) && to !== undefined && (isTerminal(to) || to === 'paused' || s.status === 'paused');
    },
    servedHereWhenDown: (body) => {
      const to = targetOf(body);
      return to !== undefined && isTerminal(to);
    },
  },
  'POST /api/sessions/:id/end': { needsOwner: live, servedHereWhenDown: always },
  'DELETE /api/sessions/:id': { needsOwner: always, servedHereWhenDown: always },
};

/** The routes that may answer 409 `wrong_node`: {@link OWNER_ROUTES}, and the terminal (forwarded by its own route). */
const WRONG_NODE_ROUTES: ReadonlySet<string> = new Set([...Object.keys(OWNER_ROUTES), 'GET /api/sessions/:id/terminal']);

/** A node as the store lists it: its name, its last heartbeat (ms since the epoch), where it answers. */
export interface NodeInfo {
  host: string;
  heartbeatAt: number;
  url: string | null;
}

/** Where to send a request for a node, or why it cannot be sent there. */
export type OwnerAddress = { url: string } | { reason: WrongNodeReason; why: string; extra?: Record<string, unknown> };

/**
 * Where node `host` answers, from `nodes` (the store's list): its advertised URL, unless it never
 * said one or its last heartbeat is older than `nodeTimeoutSecs` (it is down, or cut off).
 * @param nowMs now, in ms since the epoch
 */
export function ownerAddress(host: string, nodes: readonly NodeInfo[], nowMs: number, nodeTimeoutSecs: number): OwnerAddress {
  const node = nodes.find((n) => n.host === host);
  if (!node?.url) return { reason: 'address_unknown', why: 'that node never said where it answers (MAESTRO_ADVERTISE_URL)' };
  const ageSecs = Math.round((nowMs - node.heartbeatAt) / 100) / 10;
  if (ageSecs > nodeTimeoutSecs)
    return {
      reason: 'node_down',
      why: `its last heartbeat was ${ageSecs} s ago (a node silent for over ${nodeTimeoutSecs} s is down)`,
      extra: { heartbeatAgeSecs: ageSecs },
    };
  return { url: node.url };
}

/** What to do with a request about a session: serve it here, send it to its node, or refuse it. */
export type Routing =
  | { serve: 'here'; ownerDown?: WrongNodeError }
  | { serve: 'forward'; url: string; where: WrongNodeWhere }
  | { serve: 'refuse'; error: WrongNodeError };

/** Whom a {@link WrongNodeError} names. */
type WrongNodeWhere = ConstructorParameters<typeof WrongNodeError>[0];

/** The node that runs `session`'s runtime; null for a session without one. */
const nodeOf = (session: Session): string | null => (session.runtime.kind === 'tmux' ? session.runtime.host : null);

/**
 * Decides where a request on a route of {@link OWNER_ROUTES} is served: here when the session runs
 * here, has no runtime, or this request does not need its node; else forwarded to its node's
 * advertised URL; else (no URL, node down, or the request was already forwarded to this node)
 * refused, or served here when the rule allows it without its node. Pure: the caller reads the
 * session and the nodes.
 * @param input `thisNode`: this node's name; `forwardedBy`: the forwarding header's value, if any;
 *   `nowMs`: ms since the epoch; `nodeTimeoutSecs`: `MAESTRO_NODE_TIMEOUT_SECS`
 */
export function routeFor(input: {
  rule: OwnerRule;
  session: Session;
  body: unknown;
  thisNode: string;
  forwardedBy: string | undefined;
  nodes: readonly NodeInfo[];
  nowMs: number;
  nodeTimeoutSecs: number;
}): Routing {
  const { rule, session, body, thisNode, forwardedBy } = input;
  const node = nodeOf(session);
  if (node === null || node === thisNode || !rule.needsOwner(session, body)) return { serve: 'here' };
  const url = input.nodes.find((n) => n.host === node)?.url ?? null;
  const where = { sessionId: session.id, node, url, thisNode };
  // Forwarded once already, to a node that does not run it: an address points at the wrong node.
  // Refused whatever the rule: this node does not know that the session's node is down.
  if (forwardedBy !== undefined)
    return {
      serve: 'refuse',
      error: new WrongNodeError(where, 'forwarded', `node ${forwardedBy} forwarded it here; it is not forwarded again`, {
        forwardedBy,
      }),
    };
  const address = ownerAddress(node, input.nodes, input.nowMs, input.nodeTimeoutSecs);
  if ('url' in address) return { serve: 'forward', url: address.url, where };
  return unreachable(rule, body, new WrongNodeError(where, address.reason, address.why, address.extra));
}

/** A request whose node cannot be reached: served here when its rule allows it, else refused with `error`. */
export function unreachable(rule: OwnerRule, body: unknown, error: WrongNodeError): Routing {
  return rule.servedHereWhenDown?.(body) ? { serve: 'here', ownerDown: error } : { serve: 'refuse', error };
}

/**
 * {@link routeFor} a request on route `rule` about the session of its `:id`, read now with the
 * nodes; undefined when there is no such session (the route answers 404 itself).
 */
export async function routeRequest(
  req: FastifyRequest,
  rule: OwnerRule,
  { store, clock, runtimeInfo }: Pick<Services, 'store' | 'clock' | 'runtimeInfo'>,
): Promise<Routing | undefined> {
  const session = await store.getSession((req.params as { id: string }).id);
  if (!session) return undefined;
  const header = req.headers[FORWARDED_BY_HEADER];
  const node = nodeOf(session);
  return routeFor({
    rule,
    session,
    body: req.body,
    thisNode: runtimeInfo.host,
    forwardedBy: typeof header === 'string' ? header : undefined,
    // Read only for a session of another node: the requests about this node's own cost no more.
    nodes: node !== null && node !== runtimeInfo.host ? await store.listNodes() : [],
    nowMs: clock.now(),
    nodeTimeoutSecs: runtimeInfo.nodeTimeoutSecs,
  });
}

/** The route key of a request: `METHOD /path` as declared (`GET /api/sessions/:id/output`). */
const keyOf = (req: FastifyRequest): string => `${req.method} ${req.routeOptions.url ?? ''}`;
const ruleOf = (key: string): OwnerRule | undefined => OWNER_ROUTES[key as ApiRouteKey];

/** Each request's JSON body as it came, before validation replaced it with the schema's output. */
const SENT_BODY = Symbol('body as sent');
type WithSentBody = FastifyRequest & { [SENT_BODY]?: unknown };

/**
 * Serves every route of {@link OWNER_ROUTES} on the node that runs the session (docs/design.md
 * §Forwarding): after the access and scope checks and validation, a request about a session of
 * another node is forwarded there with the caller's own `Authorization` (the node checks it again;
 * nodes share `MAESTRO_TOKEN`), marked with {@link FORWARDED_BY_HEADER}, and that node's answer is
 * relayed back ({@link relay}); when it cannot be, it is refused with 409 `wrong_node`
 * ({@link WrongNodeError}), or served here when its rule allows it. Also declares the 409 in each
 * of those routes' OpenAPI responses. Must be installed before the routes are added.
 * @param options `headersTimeoutMs`: see {@link FORWARD_HEADERS_TIMEOUT_MS}
 */
export function installNodeForwarding(
  app: FastifyInstance,
  services: Pick<Services, 'store' | 'clock' | 'runtimeInfo'>,
  options: { headersTimeoutMs?: number } = {},
): void {
  const { runtimeInfo } = services;
  const headersTimeoutMs = options.headersTimeoutMs ?? FORWARD_HEADERS_TIMEOUT_MS;
  app.addHook('onRoute', (route) => {
    const response = route.schema?.response as Record<string, unknown> | undefined;
    if (response && typeof route.method === 'string' && WRONG_NODE_ROUTES.has(`${route.method} ${route.url}`))
      response[409] = WRONG_NODE_RESPONSE;
  });
  app.addHook('preValidation', async (req: WithSentBody) => {
    if (ruleOf(keyOf(req))) req[SENT_BODY] = req.body;
  });
  app.addHook('preHandler', async (req: WithSentBody, reply: FastifyReply) => {
    const rule = ruleOf(keyOf(req));
    if (!rule) return;
    const routing = await routeRequest(req, rule, services);
    if (!routing) return; // no such session: answered here (404)
    const outcome =
      routing.serve === 'forward'
        ? await forward(req, reply, routing, rule, { headersTimeoutMs, thisNode: runtimeInfo.host })
        : routing;
    if (!outcome) return reply; // relayed
    if (outcome.serve === 'refuse') throw outcome.error;
    if (outcome.serve === 'here' && outcome.ownerDown)
      req.log.info(
        { sessionId: outcome.ownerDown.details.sessionId, node: outcome.ownerDown.details.node, why: outcome.ownerDown.message },
        "served here: the session's node is out of reach",
      );
  });
}

/**
 * Sends a request on to the session's node and relays its answer (then returns undefined: the
 * reply is sent); when no answer comes, returns what to do instead: refuse it with 409
 * `wrong_node`, or serve it here when its rule allows it.
 */
async function forward(
  req: WithSentBody,
  reply: FastifyReply,
  routing: Extract<Routing, { serve: 'forward' }>,
  rule: OwnerRule,
  { headersTimeoutMs, thisNode }: { headersTimeoutMs: number; thisNode: string },
): Promise<Routing | undefined> {
  // A followed transcript may stay quiet longer than a connection's idle timeout: it ends with the session.
  if (isLiveStream(req)) req.raw.socket?.setTimeout(0);
  const { authorization } = req.headers;
  try {
    await relay(req, reply, {
      baseUrl: routing.url,
      body: req[SENT_BODY],
      headers: { [FORWARDED_BY_HEADER]: thisNode, ...(authorization ? { authorization } : {}) },
      headersTimeoutMs,
    });
    return undefined;
  } catch (err) {
    if (!(err instanceof RelayFailure)) throw err;
    return unreachable(rule, req.body, new WrongNodeError(routing.where, err.reason, err.message));
  }
}

/** The OpenAPI response of a refusal by the wrong node (the same error body as every error). */
const WRONG_NODE_RESPONSE = errorBodySchema.describe(
  "A conflict: `wrong_node` when the session runs on another node, which could not be reached to serve this request (details: sessionId, node, its url, thisNode, reason); or the route's own (`conflict`, `invalid_transition`)",
);
