/**
 * Dashboard benchmark (issue #23.4), in Debian's Chromium against a real server. Two servers in
 * one run: the baseline with 10 live sessions, and the load with 100 live and 10,000 ended. For
 * each it measures, over fresh page loads, the first meaningful paint (navigation start until the
 * session list first draws rows: the `maestro:sessions-painted` mark), and the time to apply an
 * event batch (100 agent-state changes applied and rendered, to the next task after React's
 * commit); then, on the loaded page, the JS heap (after a full collection, through the DevTools
 * protocol) before and after the server streams EVENTS real events. Targets: paint ≤ 1 s, batch
 * ≤ 16 ms, heap bounded (what the page holds is the summaries, not what streamed by).
 *
 *   npm run bench -- dashboard      (ENDED=2000 EVENTS=2000 for a quicker run)
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
} finally {
  await cleanup.run();
}
