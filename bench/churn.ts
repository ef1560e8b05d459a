/**
 * Churn soak (issue #10): 1,000,000 session create/delete cycles through the session service on a
 * real SQLite file (32 in flight, as a busy server has them), with a sweep every 50,000 cycles as
 * the sweeper would run. Samples the process's RSS every 10,000 cycles, each right after a full
 * garbage collection: the question is what the process keeps, and without the collection a sample
 * lands anywhere in V8's sawtooth of not-yet-collected garbage (the heap swings 30–130 MiB between
 * collections here, RSS ±20% with it, in any version). After a warm-up (the first 10%) every sample
 * must lie within ±10% of their median, and the event table must stay within its retention
 * (MAESTRO_EVENT_RETENTION plus what is written between two sweeps). Needs `--expose-gc`, which
 * `npm run bench` passes.
 *
 *   npm run bench -- churn          (CYCLES=100000 for a quicker run)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { DEFAULTS } from '../src/core/config.js';
import { createMaestro } from '../src/maestro.js';

const CYCLES = Number(process.env.CYCLES ?? 1_000_000);
const IN_FLIGHT = 32;
const SAMPLE_EVERY = 10_000;
const SWEEP_EVERY = 50_000;
const RETENTION = DEFAULTS.eventRetention;
const dir = mkdtempSync(join(tmpdir(), 'maestro-bench-churn-'));
const mib = (bytes: number) => bytes / 1024 / 1024;
const { gc } = globalThis as { gc?: () => void };
if (!gc) throw new Error('the churn benchmark needs node --expose-gc (npm run bench passes it)');

try {
  const maestro = await createMaestro(
    { ...DEFAULTS, db: join(dir, 'maestro.db'), port: 0, logLevel: 'silent', tmuxSocket: `maestro-bench-${process.pid}` },
    { log: pino({ level: 'silent' }) },
  );
  const { sessions, projects, store } = maestro.services;
  const project = await projects.create({ name: 'churn', repoPath: dir });
  const samples: { cycle: number; rssMiB: number; heapMiB: number; events: number }[] = [];
  let maxEvents = 0;
  let done = 0;
  const started = performance.now();
  const countEvents = async () => {
    const first = (await store.firstSeq()) ?? 0;
    return first === 0 ? 0 : (await store.lastSeq()) - first + 1;
  };
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (done < CYCLES) {
        const cycle = ++done;
        const s = await sessions.create({ projectId: project.id });
        await sessions.delete(s.id);
        if (cycle % SWEEP_EVERY === 0) await maestro.sweeper.sweep();
        if (cycle % SAMPLE_EVERY === 0) {
          const events = await countEvents();
          maxEvents = Math.max(maxEvents, events);
          gc();
          const { rss, heapUsed } = process.memoryUsage();
          samples.push({ cycle, rssMiB: mib(rss), heapMiB: mib(heapUsed), events });
          if (cycle % (SAMPLE_EVERY * 10) === 0)
            console.log(
              `${cycle.toLocaleString().padStart(9)} cycles  ${((performance.now() - started) / 1000).toFixed(0).padStart(5)} s  RSS ${mib(rss).toFixed(0)} MiB  heap ${mib(heapUsed).toFixed(0)} MiB  events ${events.toLocaleString()}`,
            );
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await maestro.close();

  const steady = samples.slice(Math.ceil(samples.length / 10));
  const rss = steady.map((s) => s.rssMiB).sort((a, b) => a - b);
  const median = rss[Math.floor(rss.length / 2)] as number;
  const spread = Math.max(median - (rss[0] as number), (rss.at(-1) as number) - median) / median;
  const bound = RETENTION + 2 * SWEEP_EVERY; // two events per cycle between sweeps
  console.log(
    `${CYCLES.toLocaleString()} create/delete cycles in ${seconds.toFixed(0)} s (${(CYCLES / seconds).toFixed(0)} cycles/s)`,
  );
  console.log(
    `RSS after warm-up (sampled after a full collection): median ${median.toFixed(0)} MiB, min ${rss[0]?.toFixed(0)}, max ${rss.at(-1)?.toFixed(0)}: ±${(spread * 100).toFixed(1)}%   target ±10% ${spread <= 0.1 ? 'ok' : 'MISSED'}`,
  );
  console.log(
    `event table at most ${maxEvents.toLocaleString()} rows (retention ${RETENTION.toLocaleString()} + ${(2 * SWEEP_EVERY).toLocaleString()} between sweeps = ${bound.toLocaleString()})   ${maxEvents <= bound ? 'ok' : 'MISSED'}`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
