import { constants } from 'node:zlib';
import compress from '@fastify/compress';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { PerMessageDeflateOptions } from 'ws';
import { logQuery } from '../domain/index.js';

/**
 * HTTP answers smaller than this, in bytes, go out as they are: compressing them saves a few
 * hundred bytes at most and costs a zlib pass and a header.
 */
export const COMPRESS_THRESHOLD_BYTES = 1024;

/**
 * Compresses HTTP answers of at least {@link COMPRESS_THRESHOLD_BYTES} when the client accepts it
 * (`Accept-Encoding`: brotli, then gzip, then deflate), the dashboard's static files included
 * (docs/design.md §Compression). Must be registered before the routes: it hooks each route as it
 * is added. It only adds `onSend` work, so the access checks (`onRequest`, src/server/auth.ts)
 * still run first and refuse before anything is compressed.
 */
export async function installCompression(app: FastifyInstance): Promise<void> {
  await app.register(compress, {
    threshold: COMPRESS_THRESHOLD_BYTES,
    encodings: ['br', 'gzip', 'deflate'],
    // Request bodies stay as they were: a compressed body is not JSON (400), so no zip bomb
    // reaches the parser and the 1 MiB body limit keeps meaning bytes received.
    globalDecompression: false,
  });
  // A live transcript (`GET /api/sessions/:id/log?follow=true`) goes out uncompressed: a
  // compressor holds output until its block fills, so the lines a session prints would wait for
  // kilobytes more. Flushing after every write would be the other way, but @fastify/compress also
  // holds back the first 10 bytes to sniff for an already compressed payload, so a quiet session's
  // first short line would still wait. A transcript read once (no follow) is compressed.
  app.addHook('onRequest', async (req) => {
    if (isLiveStream(req)) req.headers['x-no-compression'] = 'live stream';
  });
}

/** Whether `req` asks for an answer that streams for as long as something happens. */
export function isLiveStream(req: FastifyRequest): boolean {
  return req.routeOptions.url === '/api/sessions/:id/log' && logQuery.safeParse(req.query).data?.follow === true;
}

/**
 * WebSocket messages of at least this many bytes are deflated (permessage-deflate, when the
 * client offers it). Far above the HTTP threshold, measured: `ws` deflates each message once per
 * client, on the libuv thread pool, through one process-wide queue of ten at a time, so a
 * broadcast costs one deflate per dashboard. With 1 KiB, 1,000 clients receiving 50 events of
 * 1.2 KB a second (`bench/fanout.ts`) got them p50 8.0 s, p99 12.3 s late; at 16 KiB, p50 12 ms,
 * p99 28 ms. So the everyday events (a session is about 1.2 KB) go as they are, and the large
 * ones — a sweep's batch, a session carrying its kept output — are deflated, where bytes matter
 * more than the per-client cost.
 */
export const WS_DEFLATE_THRESHOLD_BYTES = 16 * 1024;

/**
 * permessage-deflate for every WebSocket whose client offers it (browsers and `ws` clients all
 * do), without context takeover:
 *
 * - `ws` honours `threshold` only without context takeover; with it, it deflates every message,
 *   the tiny `ready` and `session:agent_state` ones included.
 * - Each message is deflated on its own, so the client need not keep our 32 KiB window between
 *   messages, and little is lost: event messages are self-contained JSON. Memory: `ws` keeps one
 *   deflate stream per connection either way (tens of KiB resident), allocated at the first
 *   message it deflates and freed at close, so only connections that were sent a large message
 *   hold one. The window cannot be bounded from here without refusing the handshake of a client that
 *   asks for a smaller one (`ws` answers 400 then).
 *
 * Level 1: each message is deflated once per client, and on event JSON level 1 took 23 µs where
 * the default level took 30 µs, for 6% more bytes.
 */
export const WS_PER_MESSAGE_DEFLATE: PerMessageDeflateOptions = {
  serverNoContextTakeover: true,
  threshold: WS_DEFLATE_THRESHOLD_BYTES,
  zlibDeflateOptions: { level: constants.Z_BEST_SPEED },
};
