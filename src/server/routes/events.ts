import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import type { EventFilter } from '../../domain/index.js';
import { upgradeRequired } from '../errors.js';
import type { Services } from '../services.js';
import { mount } from './mount.js';

/** Close code sent with a `resync` answer (like HTTP 410 Gone). */
export const RESYNC_CLOSE_CODE = 4410;
/** Close code of a failure on the server's side (RFC 6455 "internal error"). */
const INTERNAL_ERROR_CLOSE_CODE = 1011;
/** Bytes a client may have queued before it is dropped with a resync, so a slow client never grows memory without bound. */
export const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

/**
 * `GET /api/events` (WebSocket): every event as `{type, seq, id, at, data}` in sequence order.
 * `?since=N` first replays every event after N; then `{type: "ready", seq}`; then live events.
 * A cursor the log cannot serve gets `{type: "resync", ...}` and close code 4410. `sessionId`,
 * `projectId` and `types` keep only the matching events (docs/design.md §Delivery and resync).
 */
export function eventRoutes(app: FastifyInstance, { events }: Services): void {
  // A plain GET (no upgrade) learns what the route wants instead of an empty 404.
  mount(app, 'GET /api/events', async (_req, reply) => upgradeRequired(reply, 'GET /api/events'), {
    wsHandler: async (socket: WebSocket, req) => {
      // Validated (and coerced) by the route's query schema before the upgrade.
      const { since, ...filter } = req.query as { since?: number } & EventFilter;
      // The replay goes out as it is; live events are deflated when large and the client offers it
      // (docs/design.md §Compression). `ws` deflates every message of every socket through one
      // queue of ten at a time, on the thread pool: a replay of thousands of events would hold
      // every other client's live events behind it, and a client that closes mid-replay would
      // still have its whole queue deflated before its socket is let go.
      let live = false;
      const send = (message: object): void => {
        if (socket.readyState !== socket.OPEN) return;
        if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
          socket.send(JSON.stringify({ type: 'resync', reason: 'slow_consumer' }));
          socket.close(RESYNC_CLOSE_CODE, 'resync');
          subscription?.close();
          return;
        }
        socket.send(JSON.stringify(message), { compress: live });
      };
      let subscription: { close(): void } | undefined;
      socket.on('close', () => subscription?.close());
      subscription = await events.subscribe(
        since,
        {
          onEvent: (event) => send(event),
          onReady: (seq) => {
            send({ type: 'ready', seq });
            live = true;
          },
          onResync: (info) => {
            send({ type: 'resync', reason: 'cursor_unavailable', ...info });
            socket.close(RESYNC_CLOSE_CODE, 'resync');
          },
          // A read the filter needed failed: the client reconnects and resumes from its last event.
          onError: () => socket.close(INTERNAL_ERROR_CLOSE_CODE, 'internal error'),
        },
        filter,
      );
      if (socket.readyState !== socket.OPEN) subscription.close();
    },
  });
}
