/**
 * Dashboard benchmark (issue #23.4), in Debian's Chromium against a real server. Two servers in
 * one run: the baseline with 10 live sessions, and the load with 100 live and 10,000 ended. For
 * each it measures, over fresh page loads, the first meaningful paint (navigation start until the
 * session list first draws rows: the `maestro:sessions-painted` mark), and the time to apply an
 * event batch (100 agent-state changes applied and rendered, to the next task after React's
 * commit); then, on the loaded page, the JS heap (after a full collection, through the DevTools
 * protocol) before and after the server streams EVENTS real events; then the soak: the same page
 * open while the server streams events at SOAK_RATE a second for SOAK_SECS seconds (10 minutes),
 * its heap sampled every 30 s. Targets: paint ≤ 1 s, batch ≤ 16 ms, heap bounded (what the page
 * holds is the summaries, not what streamed by).
 *
 *   npm run bench -- dashboard      (ENDED=2000 EVENTS=2000 SOAK_SECS=30 for a quicker run; SOAK_SECS=0: no soak)
 */
import { performance } from 'node:perf_hooks';
import type { Page } from 'playwright-core';
import type { SessionSummary } from '../src/client/index.js';
import { launchChromium } from '../test/dashboard-browser.js';
import { Cleanup, testMaestro } from '../test/helpers.js';

const LIVE = Number(process.env.LIVE ?? 100);
const ENDED = Number(process.env.ENDED ?? 10_000);
const EVENTS = Number(process.env.EVENTS ?? 10_000);
const LOADS = Number(process.env.LOADS ?? 5);
const BATCHES = Number(process.env.BATCHES ?? 30);
const BATCH = 100;
/** The soak's length and rate: 10 minutes (issue #23.4) of 200 events a second, 2 for each live agent. */
const SOAK_SECS = Number(process.env.SOAK_SECS ?? 600);
const SOAK_RATE = Number(process.env.SOAK_RATE ?? 200);
/** Seconds between two heap samples of the soak. */
const SOAK_EVERY = 30;
/** How far the last third of the soak's samples may rise above the first third's highest: 10%, at least 512 KiB. */
const SOAK_TOLERANCE = 0.1;
const SOAK_SLACK = 512 * 1024;
/** Sessions made at once: the store's group commit takes them together. */
const PARALLEL = 200;

type Maestro = Awaited<ReturnType<typeof testMaestro>>;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const max = (xs: number[]) => Math.max(...xs);
const ms = (x: number) => `${x.toFixed(1)} ms`;
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

/** Runs `make(i)` for i in [0, count), `PARALLEL` at a time. */
async function inParallel(count: number, make: (i: number) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < count; i += PARALLEL)
    await Promise.all(Array.from({ length: Math.min(PARALLEL, count - i) }, (_, k) => make(i + k)));
}

/** A server holding `live` live sessions and `ended` ended ones, over three projects. */
async function server(cleanup: Cleanup, live: number, ended: number): Promise<{ m: Maestro; url: string; ids: string[] }> {
  // Live sessions are limited (100 by default); the ended ones are made live first.
  const m = await testMaestro(cleanup, { maxSessions: 1000 });
  const url = await m.listen();
  for (const name of ['web', 'api', 'docs']) await m.services.projects.create({ id: `proj_${name}`, name, repoPath: m.dir });
  const projects = ['proj_web', 'proj_api', 'proj_docs'];
  await inParallel(ended, async (i) => {
    const s = await m.services.sessions.create({ projectId: projects[i % 3] as string, name: `old-${i}` });
    await m.services.sessions.end(s.id, i % 4 ? 'completed' : 'stopped');
  });
  const ids: string[] = [];
  await inParallel(live, async (i) => {
    ids.push((await m.services.sessions.create({ projectId: projects[i % 3] as string, name: `agent-${i}` })).id);
  });
  return { m, url, ids };
}

/** Loads the page; resolves with the first meaningful paint, once the ended sessions are all loaded too. */
async function load(page: Page, url: string, ended: number): Promise<number> {
  await page.goto(url);
  const paint = await page.waitForFunction(
    () => performance.getEntriesByName('maestro:sessions-painted')[0]?.startTime,
    undefined,
    { timeout: 60_000, polling: 10 },
  );
  await page.waitForFunction(
    (n) => {
      const s = (window as unknown as { maestro: { snapshot: { ended: Map<string, unknown>; loadingEnded: boolean } } }).maestro
        .snapshot;
      return !s.loadingEnded && s.ended.size >= n;
    },
    ended,
    { timeout: 120_000 },
  );
  return (await paint.jsonValue()) as number;
}

/** Applies `batches` batches of 100 agent-state changes of live sessions in the page; each one's time to rendered. */
function batchTimes(page: Page, batches: number): Promise<number[]> {
  return page.evaluate(
    async ({ batches, size }) => {
      type Live = {
        snapshot: { seq: number; active: Map<string, SessionSummary> };
        applyBatch(events: unknown[]): void;
      };
      const live = (window as unknown as { maestro: Live }).maestro;
      const times: number[] = [];
      for (let b = 0; b < batches; b++) {
        const sessions = [...live.snapshot.active.values()];
        let seq = live.snapshot.seq;
        const at = new Date().toISOString();
        const events = Array.from({ length: size }, (_, i) => {
          const s = sessions[i % sessions.length] as SessionSummary;
          const to = (b + Math.floor(i / sessions.length)) % 2 ? 'waiting' : 'working';
          return {
            seq: ++seq,
            type: 'session:agent_state',
            at,
            data: {
              id: s.id,
              from: s.agentState,
              to,
              at,
              version: s.version + 1 + Math.floor(i / sessions.length),
              waitingFor: to === 'waiting' ? { reason: 'question', message: 'Which one?' } : null,
              lastActivityAt: at,
            },
          };
        });
        const t0 = performance.now();
        live.applyBatch(events);
        // React commits the store's change before the next task. (No named helper here: tsx would
        // wrap it in a `__name` call the page does not have.)
        await new Promise<void>((resolve) => {
          const channel = new MessageChannel();
          channel.port1.onmessage = () => resolve();
          channel.port2.postMessage(0);
        });
        void document.body.offsetHeight; // and the layout is done
        times.push(performance.now() - t0);
      }
      return times;
    },
    { batches, size: BATCH },
  );
}

/** The JS heap in use after a full collection, in bytes. */
async function heap(page: Page): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  await cdp.detach();
  return usedSize;
}

/** Live DOM nodes in the page (a leak of rows would show here before the heap). */
async function domNodes(page: Page): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  const { nodes } = await cdp.send('Memory.getDOMCounters');
  await cdp.detach();
  return nodes;
}

/**
 * Whether the heap samples of a soak (in order, each after a full collection) stay bounded. A page
 * that keeps something of every event grows with the events, so its late samples stand above its
 * early ones by what the events between them left; a page that keeps only current state levels
 * off once its caches are warm. The rule: bounded when every sample of the last third is at most
 * the highest of the first third plus SOAK_TOLERANCE of it (at least SOAK_SLACK: even after a full
 * collection a few hundred KiB come and go with V8's compiled code and inline caches). The highest
 * rather than the first, so that one early sample taken at a low point does not decide.
 */
function heapVerdict(heaps: number[]): { bounded: boolean; limit: number } {
  const third = Math.max(1, Math.floor(heaps.length / 3));
  const early = Math.max(...heaps.slice(0, third));
  const limit = early + Math.max(early * SOAK_TOLERANCE, SOAK_SLACK);
  return { bounded: heaps.slice(-third).every((h) => h <= limit), limit };
}

/** The least-squares slope of `ys` over `xs`: the heap's trend, bytes a second. */
function slope(xs: number[], ys: number[]): number {
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  const num = xs.reduce((sum, x, i) => sum + (x - mx) * ((ys[i] as number) - my), 0);
  const den = xs.reduce((sum, x) => sum + (x - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

const cleanup = new Cleanup();
try {
  const made = performance.now();
  const small = await server(cleanup, 10, 0);
  const large = await server(cleanup, LIVE, ENDED);
  console.log(`set-up: 10 live; ${LIVE} live + ${ENDED} ended, in ${((performance.now() - made) / 1000).toFixed(1)} s`);
  const browser = await launchChromium(cleanup);
  const results: Record<string, { paint: number[]; batch: number[] }> = {};
  for (const [name, s, ended] of [
    ['10 sessions', small, 0],
    [`${LIVE} live + ${ENDED} ended`, large, ENDED],
  ] as const) {
    const paint: number[] = [];
    const batch: number[] = [];
    for (let i = 0; i < LOADS; i++) {
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      paint.push(await load(page, s.url, ended));
      batch.push(...(await batchTimes(page, BATCHES)).slice(2)); // the first two warm the JIT
      await page.close();
    }
    results[name] = { paint, batch };
    console.log(
      `${name.padEnd(24)} first paint median ${ms(median(paint))} (max ${ms(max(paint))}); event batch of ${BATCH} median ${ms(median(batch))} (max ${ms(max(batch))})`,
    );
  }
  const [base, load_] = Object.values(results) as [{ paint: number[]; batch: number[] }, { paint: number[]; batch: number[] }];
  console.log(
    `ratio (loaded / 10 sessions): first paint ×${(median(load_.paint) / median(base.paint)).toFixed(2)}, event batch ×${(median(load_.batch) / median(base.batch)).toFixed(2)}`,
  );
  console.log(
    `targets: first paint ≤ 1000 ms ${median(load_.paint) <= 1000 ? 'met' : 'MISSED'}; event batch ≤ 16 ms ${median(load_.batch) <= 16 ? 'met' : 'MISSED'}`,
  );

  // Memory while events stream: real events from the server, applied as they come.
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await load(page, large.url, ENDED);
  /** Streams `count` real agent-state events from the server and waits until the page applied them all. */
  const stream = async (count: number, offset: number) => {
    await inParallel(count / 2, async (i) => {
      const id = large.ids[(offset + i) % large.ids.length] as string;
      await large.m.services.sessions.needsInput(id, { reason: 'question', message: `question ${offset + i}` });
      await large.m.services.sessions.inputGiven(id);
    });
    const lastSeq = await large.m.services.store.lastSeq();
    await page.waitForFunction(
      (seq) => (window as unknown as { maestro: { snapshot: { seq: number } } }).maestro.snapshot.seq >= seq,
      lastSeq,
      { timeout: 300_000 },
    );
  };
  const before = await heap(page);
  const streamed = performance.now();
  await stream(EVENTS / 2, 0);
  const half = await heap(page);
  await stream(EVENTS / 2, EVENTS / 2);
  const secs = (performance.now() - streamed) / 1000;
  const after = await heap(page);
  // Bounded: the second half of the stream adds (next to) nothing to what the first half left.
  const bounded = after - half <= Math.max(256 * 1024, (half - before) * 0.25);
  console.log(
    `memory: JS heap ${mib(before)} loaded, ${mib(half)} after ${EVENTS / 2} events, ${mib(after)} after ${EVENTS} (${Math.round(EVENTS / secs)} events/s): ${bounded ? 'bounded' : 'GROWING'}`,
  );

  if (SOAK_SECS > 0) {
    // The soak: the same page, events at a steady rate (the same agent-state pairs, spread over the
    // live sessions), the heap sampled after a full collection every SOAK_EVERY seconds.
    console.log(`soak: ${SOAK_SECS} s of ${SOAK_RATE} events/s; JS heap after a full collection every ${SOAK_EVERY} s:`);
    const samples: { at: number; heap: number; nodes: number; behind: number }[] = [];
    const started = performance.now();
    const elapsed = () => (performance.now() - started) / 1000;
    const seqOf = () =>
      page.evaluate(() => (window as unknown as { maestro: { snapshot: { seq: number } } }).maestro.snapshot.seq);
    const sample = async (at: number) => {
      const [h, nodes, lastSeq, seq] = [
        await heap(page),
        await domNodes(page),
        await large.m.services.store.lastSeq(),
        await seqOf(),
      ];
      samples.push({ at, heap: h, nodes, behind: lastSeq - seq });
      console.log(
        `  ${String(at).padStart(4)} s  heap ${mib(h).padStart(9)}  DOM nodes ${nodes.toLocaleString().padStart(6)}  events not yet applied ${lastSeq - seq}`,
      );
    };
    let sent = 0;
    let streaming = true;
    const emit = async () => {
      while (streaming) {
        // As many pairs as the rate says are due by now, so that a slow round does not lower the rate.
        const pairs = Math.floor((Math.min(elapsed(), SOAK_SECS) * SOAK_RATE - sent) / 2);
        if (pairs > 0) {
          const offset = EVENTS + sent / 2;
          sent += 2 * pairs;
          await inParallel(pairs, async (i) => {
            const id = large.ids[(offset + i) % large.ids.length] as string;
            await large.m.services.sessions.needsInput(id, { reason: 'question', message: `soak question ${offset + i}` });
            await large.m.services.sessions.inputGiven(id);
          });
        } else await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    const measure = async () => {
      await sample(0);
      for (let at = SOAK_EVERY; at < SOAK_SECS + SOAK_EVERY; at += SOAK_EVERY) {
        const next = Math.min(at, SOAK_SECS);
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, (next - elapsed()) * 1000)));
        await sample(next);
      }
      streaming = false;
    };
    await Promise.all([emit(), measure()]);
    const soakSecs = elapsed();
    const lastSeq = await large.m.services.store.lastSeq();
    await page.waitForFunction(
      (seq) => (window as unknown as { maestro: { snapshot: { seq: number } } }).maestro.snapshot.seq >= seq,
      lastSeq,
      { timeout: 300_000 },
    );
    const heaps = samples.map((x) => x.heap);
    const first = heaps[0] as number;
    const last = heaps.at(-1) as number;
    const verdict = heapVerdict(heaps);
    console.log(
      `soak: ${sent.toLocaleString()} events in ${soakSecs.toFixed(0)} s (${Math.round(sent / soakSecs)} events/s), all applied by the page; JS heap first ${mib(first)}, last ${mib(last)}, max ${mib(Math.max(...heaps))}; growth ${last >= first ? '+' : '−'}${mib(Math.abs(last - first))} (${(((last - first) / first) * 100).toFixed(1)}%), trend ${(
        (slope(
          samples.map((x) => x.at),
          heaps,
        ) *
          60) /
          1024
      ).toFixed(1)} KiB/min; DOM nodes ${samples[0]?.nodes} → ${samples.at(-1)?.nodes}`,
    );
    console.log(
      `soak: last third ≤ first third's max + ${SOAK_TOLERANCE * 100}% (at least ${SOAK_SLACK / 1024} KiB) = ${mib(verdict.limit)}: ${verdict.bounded ? 'bounded' : 'GROWING'}`,
    );
  }
} finally {
  await cleanup.run();
}
