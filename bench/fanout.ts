/**
 * Fan-out benchmark (issue #10). 1,000 WebSocket dashboards subscribed to `maestro serve`; a
 * session is updated at a steady rate and every client's delivery latency (receive time minus the
 * event's `at`, set when the write began) is collected. Baseline in the same run: a bare `ws`
 * server broadcasting messages of the same size to 1,000 clients. Target: p99 added ≤ 50 ms.
 * Then a client that stops reading: its buffer must stay capped — it is dropped with a `resync`
 * (close code 4410) — and the server's memory must not grow with what it failed to send.
 *
 *   npm run bench -- fanout         (CLIENTS=200 EVENTS=50 for a quicker run)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as pause } from 'node:timers/promises';
import WebSocket from 'ws';
import { rssMiB, serveBroadcast, serveMaestro } from './fixtures/servers.js';

const CLIENTS = Number(process.env.CLIENTS ?? 1000);
const EVENTS = Number(process.env.EVENTS ?? 200);
/** Between two writes, in milliseconds: a steady stream, not a burst. */
const INTERVAL_MS = 20;
const dir = mkdtempSync(join(tmpdir(), 'maestro-bench-fanout-'));
const now = () => performance.timeOrigin + performance.now();
const json = { 'content-type': 'application/json' };

/** Opens `count` clients (100 at a time); each counts as connected once `ready(message)` says so. */
async function connect(
  url: string,
  count: number,
  onMessage: (data: string) => void,
  ready: (data: string) => boolean,
): Promise<WebSocket[]> {
  const sockets: WebSocket[] = [];
  for (let i = 0; i < count; i += 100) {
    const batch = Array.from({ length: Math.min(100, count - i) }, () => {
      const ws = new WebSocket(url);
      sockets.push(ws);
      return new Promise<void>((resolve, reject) => {
        ws.on('error', reject);
        if (ready('')) ws.on('open', () => resolve());
        ws.on('message', (raw) => {
          const data = String(raw);
          if (ready(data)) resolve();
          else onMessage(data);
        });
      });
    });
    await Promise.all(batch);
  }
  return sockets;
}

async function collected(latencies: number[], expected: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (latencies.length < expected && Date.now() < deadline) await pause(50);
  if (latencies.length < expected) throw new Error(`only ${latencies.length} of ${expected} deliveries arrived`);
}

const percentile = (xs: number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
};

try {
  // Maestro first, to learn the size of its event messages.
  const maestro = await serveMaestro(join(dir, 'maestro.db'), ['--tmux-socket', `maestro-bench-${process.pid}`]);
  const post = async (path: string, body: unknown, method = 'POST') =>
    (await (await fetch(maestro.url + path, { method, headers: json, body: JSON.stringify(body) })).json()) as Record<
      string,
      unknown
    >;
  const project = await post('/api/projects', { name: 'fanout', repoPath: dir });
  const session = await post('/api/sessions', { projectId: project.id });
  const ws = `${maestro.url.replace('http', 'ws')}/api/events`;
  const maestroLatencies: number[] = [];
  let messageBytes = 0;
  const clients = await connect(
    ws,
    CLIENTS,
    (data) => {
      const event = JSON.parse(data) as { at: string };
      maestroLatencies.push(now() - Date.parse(event.at));
      messageBytes = data.length;
    },
    (data) => data.includes('"type":"ready"'),
  );
  const rssBefore = rssMiB(maestro.child.pid as number);
  for (let i = 0; i < EVENTS; i++) {
    await post(`/api/sessions/${session.id}/touch`, { messages: 1 });
    await pause(INTERVAL_MS);
  }
  await collected(maestroLatencies, CLIENTS * EVENTS);
  const rssLive = rssMiB(maestro.child.pid as number);
  for (const c of clients) c.terminate();

  // A client that stops reading while 1,500 events of ~20 KB each (≈ 29 MB) go out: more than its
  // kernel socket buffers and the 8 MiB cap together.
  // Without permessage-deflate: these repetitive 20 KB messages would deflate to a few hundred
  // bytes each and never reach the cap.
  const slow = new WebSocket(ws, { perMessageDeflate: false });
  const slowMessages: string[] = [];
  let slowClose = 0;
  await new Promise<void>((resolve) =>
    slow.on('message', (raw) => (String(raw).includes('"type":"ready"') ? resolve() : undefined)),
  );
  slow.on('message', (raw) => slowMessages.push(String(raw).slice(0, 200)));
  const closed = new Promise<void>((resolve) =>
    slow.on('close', (code) => {
      slowClose = code;
      resolve();
    }),
  );
  (slow as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();
  const text = 'x'.repeat(19_000);
  for (let i = 0; i < 1500; i++) await post(`/api/sessions/${session.id}`, { featureRequest: `${i}${text}` }, 'PATCH');
  const rssSlow = rssMiB(maestro.child.pid as number);
  (slow as unknown as { _socket: { resume(): void } })._socket.resume();
  await Promise.race([closed, pause(15_000)]);
  slow.terminate();
  await maestro.stop();

  // Baseline: bare ws, same number of clients, same message size, same pace.
  const broadcast = await serveBroadcast();
  const rawLatencies: number[] = [];
  const rawClients = await connect(
    broadcast.url,
    CLIENTS,
    (data) => rawLatencies.push(now() - (JSON.parse(data) as { t: number }).t),
    (data) => data === '',
  );
  const padding = 'p'.repeat(Math.max(0, messageBytes - 40));
  for (let i = 0; i < EVENTS; i++) {
    broadcast.child.stdin?.write(`${JSON.stringify({ t: now(), padding })}\n`);
    await pause(INTERVAL_MS);
  }
  await collected(rawLatencies, CLIENTS * EVENTS);
  for (const c of rawClients) c.terminate();
  await broadcast.stop();

  const row = (name: string, xs: number[]) =>
    `${name.padEnd(34)} p50 ${percentile(xs, 50).toFixed(1).padStart(7)} ms   p99 ${percentile(xs, 99).toFixed(1).padStart(7)} ms`;
  const added = percentile(maestroLatencies, 99) - percentile(rawLatencies, 99);
  console.log(`${CLIENTS} WebSocket clients, ${EVENTS} events ${INTERVAL_MS} ms apart, ${messageBytes} bytes each`);
  console.log(row('bare ws broadcast (baseline)', rawLatencies));
  console.log(row('maestro session events', maestroLatencies));
  console.log(`p99 added ${added.toFixed(1)} ms   target ≤ 50 ms ${added <= 50 ? 'ok' : 'MISSED'}`);
  const resynced = slowMessages.some((m) => m.includes('"type":"resync"'));
  console.log(
    `slow client: ${resynced && slowClose === 4410 ? 'dropped with resync (close 4410)' : `NOT dropped (close ${slowClose})`} after ${slowMessages.length - 1} events; server RSS ${rssBefore.toFixed(0)} MiB idle, ${rssLive.toFixed(0)} MiB with ${CLIENTS} clients, ${rssSlow.toFixed(0)} MiB after ~29 MB sent to the stalled one`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
