import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type RawData, WebSocket } from 'ws';
import type { TerminalClient } from '../../core/runtime.js';
import { MaestroError, parseInput, type TerminalMessage, terminalMessage } from '../../domain/index.js';
import { upgradeRequired } from '../errors.js';
import { nodeUrl } from '../http-relay.js';
import { FORWARDED_BY_HEADER, type OwnerRule, routeRequest } from '../node-forwarding.js';
import type { Services } from '../services.js';
import { mount } from './mount.js';

/** Bytes a viewer may have queued before it is dropped, so a slow viewer never grows memory without bound. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
/**
 * Terminal frames are never deflated, though the socket may have negotiated permessage-deflate
 * (docs/design.md §Compression). Deflate would hurt here: an echoed key is a few bytes, and a
 * redraw of a few kilobytes crosses a LAN in far less time than deflating it takes. `ws` deflates
 * on the libuv thread pool, an extra hop (a 5 KB screen: p50 0.21 → 0.40 ms on loopback), behind
 * one process-wide queue of ten deflates at a time that an event broadcast can fill: a keystroke's
 * echo would wait behind it. (PTY reads are a few kilobytes, under the 16 KiB threshold anyway:
 * this keeps it so if the threshold or the reads change.)
 */
const FRAME = { binary: true, compress: false } as const;
/** Close codes: the session ended (normal), a bad message, a failure after the upgrade (like HTTP 409 / 502). */
export const TERMINAL_CLOSE = { ended: 1000, badMessage: 4400, conflict: 4409, unreachable: 4502, slow: 4429 } as const;

/** Where the upgrade found the session: here, or on another node (forwarded to its URL). */
type Located = { here: true } | { here: false; url: string };
const LOCATED = Symbol('terminal location');
/** A terminal needs the node that runs the session (that it is live is checked by `locate`). */
const TERMINAL_RULE: OwnerRule = { needsOwner: () => true };

/**
 * `GET /api/sessions/:id/terminal` (WebSocket): a live terminal of the session (docs/design.md
 * §Browser terminal). The session is looked up before the upgrade, so a missing, ended or
 * runtime-less session answers 404/409/400 like any route, and so does one whose node cannot be
 * reached (409 `wrong_node`: node-forwarding.ts). On the node that runs it, a terminal client
 * attaches (`tmux attach-session` in a PTY); binary frames carry what to draw, text frames from
 * the viewer carry keys and sizes. On another node, the connection is forwarded to that node's
 * `MAESTRO_ADVERTISE_URL` with this server's token.
 */
export function terminalRoutes(app: FastifyInstance, services: Services, token: string): void {
  const { sessions, runtimeInfo } = services;
  mount(app, 'GET /api/sessions/:id/terminal', async (_req, reply) => upgradeRequired(reply, 'GET /api/sessions/:id/terminal'), {
    preHandler: async (req: FastifyRequest) => {
      const { id } = req.params as { id: string };
      await sessions.terminal.locate(id); // 404, 409 once ended, 400 without a runtime
      const routing = await routeRequest(req, TERMINAL_RULE, services);
      if (routing?.serve === 'refuse') throw routing.error;
      (req as unknown as Record<symbol, Located>)[LOCATED] =
        routing?.serve === 'forward' ? { here: false, url: routing.url } : { here: true };
    },
    wsHandler: async (socket: WebSocket, req: FastifyRequest) => {
      const { id } = req.params as { id: string };
      const query = req.query as { cols: number; rows: number; readOnly: boolean };
      const located = (req as unknown as Record<symbol, Located>)[LOCATED];
      if (located && !located.here) return forward(socket, located.url, id, query, { token, thisNode: runtimeInfo.host });
      // Messages that arrive while the client attaches are kept, in order, not dropped.
      const early: [RawData, boolean][] = [];
      const keep = (data: RawData, isBinary: boolean) => early.push([data, isBinary]);
      socket.on('message', keep);
      let client: TerminalClient;
      try {
        client = await sessions.terminal.attach(id, query);
      } catch (err) {
        return socket.close(TERMINAL_CLOSE.conflict, reasonOf(err));
      }
      socket.off('message', keep);
      serve(socket, client, early);
    },
  });
}

/** Relays between a viewer and a terminal client until either ends. */
function serve(socket: WebSocket, client: TerminalClient, early: [RawData, boolean][]): void {
  client.onData((data) => {
    if (socket.readyState !== WebSocket.OPEN) return;
    if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      socket.close(TERMINAL_CLOSE.slow, 'too slow: reconnect to redraw the screen');
      return client.close();
    }
    socket.send(Buffer.from(data, 'utf8'), FRAME);
  });
  client.onExit(() => {
    if (socket.readyState === WebSocket.OPEN) socket.close(TERMINAL_CLOSE.ended, 'session ended');
  });
  const handle = (raw: RawData, isBinary: boolean) => {
    const message = readMessage(raw, isBinary);
    if (!message)
      return socket.close(TERMINAL_CLOSE.badMessage, 'expected {type: "input", data} or {type: "resize", cols, rows}');
    if (message.type === 'input') client.write(message.data);
    else client.resize(message.cols, message.rows);
  };
  socket.on('message', handle);
  socket.on('close', () => client.close());
  if (socket.readyState !== WebSocket.OPEN) client.close();
  for (const [raw, isBinary] of early) handle(raw, isBinary);
}

/** A viewer's message, or undefined when it is not one (binary, not JSON, not in the schema). */
function readMessage(raw: RawData, isBinary: boolean): TerminalMessage | undefined {
  if (isBinary) return undefined;
  try {
    return parseInput(terminalMessage, JSON.parse(raw.toString()), 'message');
  } catch {
    return undefined;
  }
}

/**
 * Forwards a viewer to the node that runs the session: one WebSocket to its terminal route, frames
 * relayed both ways as they are, either side's close closing the other.
 */
function forward(
  socket: WebSocket,
  baseUrl: string,
  id: string,
  query: { cols: number; rows: number; readOnly: boolean },
  { token, thisNode }: { token: string; thisNode: string },
): void {
  const target = nodeUrl(baseUrl, `/api/sessions/${encodeURIComponent(id)}/terminal`);
  target.protocol = target.protocol === 'https:' ? 'wss:' : 'ws:';
  target.search = new URLSearchParams({
    cols: String(query.cols),
    rows: String(query.rows),
    readOnly: String(query.readOnly),
  }).toString();
  // Node to node, frames as they are (see FRAME): no deflate offered either way.
  // Marked as forwarded: a node that does not run it either refuses it rather than forward it again.
  const upstream = new WebSocket(target, {
    headers: { [FORWARDED_BY_HEADER]: thisNode, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    perMessageDeflate: false,
  });
  const pending: [RawData, boolean][] = [];
  upstream.on('open', () => {
    for (const [data, isBinary] of pending.splice(0)) upstream.send(data, { binary: isBinary });
  });
  upstream.on('message', (data: RawData, isBinary: boolean) => {
    if (socket.readyState === WebSocket.OPEN) socket.send(data, { binary: isBinary, compress: false });
  });
  upstream.on('close', (code: number, reason: Buffer) => {
    if (socket.readyState === WebSocket.OPEN) socket.close(validCode(code), reason.toString());
  });
  upstream.on('error', (err: Error) => {
    if (socket.readyState === WebSocket.OPEN)
      socket.close(TERMINAL_CLOSE.unreachable, `the node running session ${id} did not answer: ${err.message}`.slice(0, 120));
  });
  socket.on('message', (data: RawData, isBinary: boolean) => {
    if (upstream.readyState === WebSocket.OPEN) upstream.send(data, { binary: isBinary });
    else if (upstream.readyState === WebSocket.CONNECTING) pending.push([data, isBinary]);
  });
  socket.on('close', () => upstream.terminate());
}

/** A close code a server may send on (1005/1006 are reserved for "none given" and "dropped"). */
const validCode = (code: number): number => (code === 1005 || code === 1006 ? TERMINAL_CLOSE.unreachable : code);

/** A close reason from an error: its message, within the 123 bytes a close frame allows. */
function reasonOf(err: unknown): string {
  const message = err instanceof MaestroError ? err.message : err instanceof Error ? err.message : String(err);
  return Buffer.from(message).subarray(0, 120).toString();
}
