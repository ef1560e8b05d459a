/**
 * Filtered streams and compression benchmark (issue #24.3, #24.4), on `maestro serve`.
 *
 * 1. 1,000 WebSocket clients each following one session (`?sessionId=`) against, in the same run,
 *    1,000 unfiltered clients (the baseline) under the same writes: one session touched every
 *    20 ms, round robin. Latency is receive time minus the event's `at` (set when the write
 *    began). Also 1,000 clients all filtering on the one session being touched: as many deliveries
 *    as the baseline, so what it adds is the filter's own cost. Target: a filtered stream adds
 *    ≤ 5 ms p99 over an unfiltered one. The clients offer permessage-deflate, as browsers do; one
 *    extra baseline run without it shows what it costs the broadcast (nothing while the events
 *    stay under its 16 KiB threshold).
 * 2. The bytes of a list of 1,000 sessions (each with a 40-word feature request, so they are not
 *    all alike), uncompressed against gzip and brotli, and of a large live event (an 18 KB feature
 *    request) with and without permessage-deflate.
 *
 *   npm run bench -- streams         (CLIENTS=200 EVENTS=50 for a quicker run)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as pause } from 'node:timers/promises';
import WebSocket from 'ws';
import { serveMaestro } from './fixtures/servers.js';

const CLIENTS = Number(process.env.CLIENTS ?? 1000);
const EVENTS = Number(process.env.EVENTS ?? 200);
/** Between two writes, in milliseconds: a steady stream, not a burst. */
const INTERVAL_MS = 20;
const LIST_SIZE = 1000;
const dir = mkdtempSync(join(tmpdir(), 'maestro-bench-streams-'));
const now = () => performance.timeOrigin + performance.now();
const json = { 'content-type': 'application/json' };

const percentile = (xs: number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
};

/** Bytes a client socket has read so far (`ws` keeps the net socket as `_socket`). */
const bytesRead = (ws: WebSocket) => (ws as unknown as { _socket: { bytesRead: number } })._socket.bytesRead;

/** Opens one client per URL (100 at a time), each counted as connected at its `ready`; every event's latency goes to `latencies`. */
async function connect(urls: string[], latencies: number[], options: WebSocket.ClientOptions = {}): Promise<WebSocket[]> {
  const sockets: WebSocket[] = [];
  for (let i = 0; i < urls.length; i += 100) {
    await Promise.all(
      urls.slice(i, i + 100).map(
        (url) =>
          new Promise<void>((resolve, reject) => {
            const ws = new WebSocket(url, options);
            sockets.push(ws);
            ws.on('error', reject);
            ws.on('message', (raw) => {
              const message = JSON.parse(String(raw)) as { type: string; at?: string };
              if (message.type === 'ready') resolve();
              else if (message.at) latencies.push(now() - Date.parse(message.at));
            });
          }),
      ),
    );
  }
  return sockets;
}

async function collected(latencies: number[], expected: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (latencies.length < expected && Date.now() < deadline) await pause(50);
  if (latencies.length < expected) throw new Error(`only ${latencies.length} of ${expected} deliveries arrived`);
}

/** `GET url` with `accept-encoding`: the bytes on the wire and how long the whole answer took, in milliseconds. */
function fetchRaw(url: string, encoding: string): Promise<{ bytes: number; ms: number; encoding: string }> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    request(url, { headers: { 'accept-encoding': encoding } }, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
      });
      res.on('end', () =>
        resolve({ bytes, ms: performance.now() - start, encoding: String(res.headers['content-encoding'] ?? 'identity') }),
      );
    })
      .on('error', reject)
      .end();
  });
}

try {
  const maestro = await serveMaestro(join(dir, 'maestro.db'), [
    '--tmux-socket',
    `maestro-bench-${process.pid}`,
    '--max-sessions',
    String(Math.max(CLIENTS, LIST_SIZE) + 10),
  ]);
  const post = async (path: string, body: unknown) =>
    (await (await fetch(maestro.url + path, { method: 'POST', headers: json, body: JSON.stringify(body) })).json()) as {
      id: string;
    };
  // Words in a fixed pseudo-random order: text that compresses like prose, not like repeats.
  const words = 'the login page must check the email and password before it shows the dashboard'.split(' ');
  let seed = 1;
  const nextWord = () => {
    seed = (seed * 48_271) % 2_147_483_647; // Lehmer
    return words[seed % words.length];
  };
  const text = (count: number) => Array.from({ length: count }, nextWord).join(' ');
  const project = await post('/api/projects', { name: 'streams', repoPath: dir });
  const sessions: string[] = [];
  for (let i = 0; i < Math.max(CLIENTS, LIST_SIZE); i++)
    sessions.push((await post('/api/sessions', { projectId: project.id, name: `session-${i}`, featureRequest: text(40) })).id);
  const ws = `${maestro.url.replace('http', 'ws')}/api/events`;

  /** One run: `urls` connected, then `touches` touches of `touched(i)`; the latency of each delivery. */
  const run = async (
    urls: string[],
    touches: number,
    touched: (i: number) => string,
    expected: number,
    options: WebSocket.ClientOptions = {},
  ) => {
    const latencies: number[] = [];
    const clients = await connect(urls, latencies, options);
    for (let i = 0; i < touches; i++) {
      await post(`/api/sessions/${touched(i)}/touch`, { messages: 1 });
      await pause(INTERVAL_MS);
    }
    await collected(latencies, expected);
    for (const c of clients) c.terminate();
    return latencies;
  };
  const roundRobin = (i: number) => sessions[i % CLIENTS] as string;
  const unfilteredUrls = Array.from({ length: CLIENTS }, () => ws);
  await run(unfilteredUrls, Math.ceil(EVENTS / 4), roundRobin, CLIENTS * Math.ceil(EVENTS / 4)); // warm-up, not counted
  const baseline = await run(unfilteredUrls, EVENTS, roundRobin, CLIENTS * EVENTS);
  // Each touch reaches one client here: touch every session once (at the same pace) for enough samples.
  const ownTouches = Math.max(EVENTS, CLIENTS);
  const own = await run(
    sessions.slice(0, CLIENTS).map((id) => `${ws}?sessionId=${id}`),
    ownTouches,
    roundRobin,
    ownTouches,
  );
  const first = sessions[0] as string;
  const same = await run(
    Array.from({ length: CLIENTS }, () => `${ws}?sessionId=${first}`),
    EVENTS,
    () => first,
    CLIENTS * EVENTS,
  );
  const noDeflate = await run(unfilteredUrls, EVENTS, roundRobin, CLIENTS * EVENTS, { perMessageDeflate: false });

  // A large live event, as a deflating client and a plain one receive it: a feature request of
  // about 18 KB of words (prose compresses far less than repeated text).
  const prose = text(3300).slice(0, 18_000);
  const arrivals: number[] = [];
  const [deflating] = await connect([ws], arrivals);
  const [plain] = await connect([ws], arrivals, { perMessageDeflate: false });
  const before = [deflating, plain].map((c) => bytesRead(c as WebSocket));
  await fetch(`${maestro.url}/api/sessions/${sessions[0]}`, {
    method: 'PATCH',
    headers: json,
    body: JSON.stringify({ featureRequest: prose }),
  });
  await collected(arrivals, 2);
  const deflatedBytes = bytesRead(deflating as WebSocket) - (before[0] as number);
  const plainBytes = bytesRead(plain as WebSocket) - (before[1] as number);
  for (const c of [deflating, plain]) c?.terminate();

  // A list of 1,000 sessions, as the dashboard's first load reads it.
  const list = `${maestro.url}/api/sessions?limit=${LIST_SIZE}`;
  const answers: Record<string, { bytes: number; ms: number[]; encoding: string }> = {};
  for (let i = 0; i < 21; i++) {
    for (const encoding of ['identity', 'gzip', 'br']) {
      const answer = await fetchRaw(list, encoding);
      answers[encoding] ??= { bytes: answer.bytes, ms: [], encoding: answer.encoding };
      if (i > 0) answers[encoding].ms.push(answer.ms); // the first of each is a warm-up
    }
  }
  await maestro.stop();

  const row = (name: string, xs: number[]) =>
    `${name.padEnd(46)} p50 ${percentile(xs, 50).toFixed(1).padStart(6)} ms   p99 ${percentile(xs, 99).toFixed(1).padStart(6)} ms   (${xs.length} deliveries)`;
  const p99 = (xs: number[]) => percentile(xs, 99);
  const added = (xs: number[]) => p99(xs) - p99(baseline);
  console.log(`${CLIENTS} WebSocket clients, ${EVENTS} session touches ${INTERVAL_MS} ms apart (${ownTouches} for own sessions)`);
  console.log(row('unfiltered (baseline)', baseline));
  console.log(row('filtered: each client its own session', own));
  console.log(row('filtered: every client the touched session', same));
  console.log(row('unfiltered, permessage-deflate not offered', noDeflate));
  for (const [name, xs] of [
    ['own session', own],
    ['same session', same],
  ] as const)
    console.log(`filtered (${name}) p99 added ${added(xs).toFixed(1)} ms   target ≤ 5 ms ${added(xs) <= 5 ? 'ok' : 'MISSED'}`);
  console.log(
    `a live event of ${plainBytes} B: ${deflatedBytes} B on the wire with permessage-deflate (×${(plainBytes / deflatedBytes).toFixed(1)} smaller)`,
  );
  const identity = answers.identity?.bytes ?? 0;
  console.log(`GET /api/sessions?limit=${LIST_SIZE} (${LIST_SIZE} sessions), median of 20:`);
  for (const { bytes, ms, encoding } of Object.values(answers))
    console.log(
      `  ${encoding.padEnd(9)} ${(bytes / 1024).toFixed(0).padStart(5)} KiB  ${(bytes / LIST_SIZE).toFixed(0).padStart(4)} B/session  ×${(identity / bytes).toFixed(1).padStart(4)} smaller  ${percentile(ms, 50).toFixed(1).padStart(5)} ms`,
    );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
