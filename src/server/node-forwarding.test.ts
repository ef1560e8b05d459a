import { describe, expect, it } from 'vitest';
import { API, type ApiRouteKey, type Session, WrongNodeError } from '../domain/index.js';
import { type NodeInfo, OWNER_ROUTES, type OwnerRule, ownerAddress, routeFor, unreachable } from './node-forwarding.js';

const NOW = Date.parse('2026-03-01T10:00:00.000Z');
const A_URL = 'http://10.0.0.1:7420';

/** A session as far as the decision reads it: id, status, runtime. */
function session(status: Session['status'], host: string | null = 'node-a', kind: 'tmux' | 'none' = 'tmux'): Session {
  return {
    id: 'sess_1',
    status,
    runtime: { kind, host, tmuxSession: kind === 'tmux' ? 'maestro-sess_1' : null, pid: null, exitCode: null },
  } as Session;
}

const fresh: NodeInfo[] = [{ host: 'node-a', heartbeatAt: NOW - 1000, url: A_URL }];
const rule = (key: ApiRouteKey): OwnerRule => OWNER_ROUTES[key] as OwnerRule;

/** Where a request is served when it reaches node-b. */
const route = (key: ApiRouteKey, s: Session, options: { body?: unknown; nodes?: NodeInfo[]; forwardedBy?: string } = {}) =>
  routeFor({
    rule: rule(key),
    session: s,
    body: options.body ?? {},
    thisNode: 'node-b',
    forwardedBy: options.forwardedBy,
    nodes: options.nodes ?? fresh,
    nowMs: NOW,
    nodeTimeoutSecs: 30,
  });

describe('OWNER_ROUTES', () => {
  it('names declared routes about one session (:id), the ones that need its node', () => {
    for (const key of Object.keys(OWNER_ROUTES)) {
      expect(API, key).toHaveProperty([key]);
      expect(key).toMatch(/^\w+ \/api\/sessions\/:id(\/|$)/);
    }
    // Those that read the database only are served anywhere.
    for (const key of ['GET /api/sessions/:id', 'PATCH /api/sessions/:id', 'POST /api/sessions/:id/touch'])
      expect(OWNER_ROUTES).not.toHaveProperty([key]);
  });
});

describe('routeFor: where a request about a session is served', () => {
  it('here when the session runs here, has no runtime, or the request does not need its node', () => {
    expect(route('GET /api/sessions/:id/output', session('implementing', 'node-b'))).toEqual({ serve: 'here' });
    expect(route('GET /api/sessions/:id/output', session('implementing', null, 'none'))).toEqual({ serve: 'here' });
    // An ended session's output is kept in the database.
    expect(route('GET /api/sessions/:id/output', session('completed'))).toEqual({ serve: 'here' });
    // A workflow move writes the database only; a pause or a resume signals the processes.
    expect(route('POST /api/sessions/:id/transition', session('planning'), { body: { status: 'implementing' } })).toEqual({
      serve: 'here',
    });
    for (const [from, to] of [
      ['implementing', 'paused'],
      ['paused', 'implementing'],
      ['implementing', 'completed'],
    ] as const)
      expect(
        route('POST /api/sessions/:id/transition', session(from), { body: { status: to } }),
        `${from} → ${to}`,
      ).toMatchObject({
        serve: 'forward',
      });
  });

  it("forwards to the node's advertised URL while it heartbeats; files stay there after the end", () => {
    const where = { sessionId: 'sess_1', node: 'node-a', url: A_URL, thisNode: 'node-b' };
    expect(route('GET /api/sessions/:id/output', session('implementing'))).toEqual({ serve: 'forward', url: A_URL, where });
    for (const key of ['GET /api/sessions/:id/log', 'GET /api/sessions/:id/diff', 'DELETE /api/sessions/:id'] as const)
      expect(route(key, session('completed')), key).toMatchObject({ serve: 'forward', url: A_URL });
  });

  it('refuses with wrong_node naming the node, its URL and why, when it cannot be forwarded', () => {
    const unknown = route('GET /api/sessions/:id/output', session('implementing'), { nodes: [] });
    expect(unknown).toMatchObject({ serve: 'refuse' });
    const noUrl = route('GET /api/sessions/:id/output', session('implementing'), {
      nodes: [{ host: 'node-a', heartbeatAt: NOW, url: null }],
    });
    expect(noUrl.serve === 'refuse' && noUrl.error.details).toEqual({
      sessionId: 'sess_1',
      node: 'node-a',
      url: null,
      thisNode: 'node-b',
      reason: 'address_unknown',
    });
    const down = route('GET /api/sessions/:id/output', session('implementing'), {
      nodes: [{ host: 'node-a', heartbeatAt: NOW - 45_000, url: A_URL }],
    });
    if (down.serve !== 'refuse') throw new Error('expected a refusal');
    expect(down.error).toBeInstanceOf(WrongNodeError);
    expect(down.error.code).toBe('wrong_node');
    expect(down.error.details).toMatchObject({ node: 'node-a', url: A_URL, reason: 'node_down', heartbeatAgeSecs: 45 });
    expect(down.error.message).toContain(`session sess_1 runs on node node-a (${A_URL})`);
    expect(down.error.message).toContain('its last heartbeat was 45 s ago');
  });

  it('ends and deletes here when the node is out of reach (how a dead node is cleaned up); nothing else', () => {
    const gone = { nodes: [{ host: 'node-a', heartbeatAt: NOW - 45_000, url: A_URL }] };
    for (const [key, body] of [
      ['POST /api/sessions/:id/end', {}],
      ['DELETE /api/sessions/:id', undefined],
      ['POST /api/sessions/:id/transition', { status: 'failed' }],
    ] as const) {
      const routing = route(key, session('implementing'), { ...gone, body });
      expect(routing, key).toMatchObject({ serve: 'here', ownerDown: { details: { reason: 'node_down' } } });
    }
    expect(
      route('POST /api/sessions/:id/transition', session('implementing'), { ...gone, body: { status: 'paused' } }),
    ).toMatchObject({
      serve: 'refuse',
    });
    expect(route('POST /api/sessions/:id/input', session('implementing'), gone)).toMatchObject({ serve: 'refuse' });
    // The same once a forward found no answer.
    const failed = new WrongNodeError({ sessionId: 'sess_1', node: 'node-a', url: A_URL, thisNode: 'node-b' }, 'no_answer', 'x');
    expect(unreachable(rule('POST /api/sessions/:id/end'), {}, failed)).toEqual({ serve: 'here', ownerDown: failed });
    expect(unreachable(rule('GET /api/sessions/:id/output'), {}, failed)).toEqual({ serve: 'refuse', error: failed });
  });

  it('never forwards a forwarded request again, nor serves it here when this node does not run the session', () => {
    for (const key of ['GET /api/sessions/:id/output', 'POST /api/sessions/:id/end'] as const) {
      const routing = route(key, session('implementing'), { forwardedBy: 'node-c' });
      expect(routing, key).toMatchObject({ serve: 'refuse', error: { details: { reason: 'forwarded', forwardedBy: 'node-c' } } });
    }
    // At the node that runs it, a forwarded request is served.
    expect(route('GET /api/sessions/:id/output', session('implementing', 'node-b'), { forwardedBy: 'node-c' })).toEqual({
      serve: 'here',
    });
  });
});

describe('ownerAddress', () => {
  it('is the URL of a node that heartbeats, else why not', () => {
    expect(ownerAddress('node-a', fresh, NOW, 30)).toEqual({ url: A_URL });
    expect(ownerAddress('node-a', fresh, NOW + 29_000, 30)).toEqual({ url: A_URL });
    expect(ownerAddress('node-a', fresh, NOW + 31_000, 30)).toMatchObject({ reason: 'node_down' });
    expect(ownerAddress('node-z', fresh, NOW, 30)).toMatchObject({ reason: 'address_unknown' });
  });
});
