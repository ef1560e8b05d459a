import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { currentLease, withLease } from '../../store/index.js';
import { Loop } from './loop.js';

/** A logger that records what it is given. */
function recordingLog() {
  const lines: Record<string, unknown>[] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { log, lines };
}

/** A promise with its resolve and reject exposed. */
function deferred() {
  let resolve!: () => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('Loop', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs a pass at start and then every interval; start is idempotent', async () => {
    const { log } = recordingLog();
    const pass = vi.fn(async () => undefined);
    const loop = new Loop('test', 1000, pass, log);
    loop.start();
    loop.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(pass).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(pass).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(3000);
    expect(pass).toHaveBeenCalledTimes(5);
    await loop.stop();
    await loop.stop();
    await vi.advanceTimersByTimeAsync(5000);
    expect(pass).toHaveBeenCalledTimes(5);
  });

  it("runs every pass in the context start() was called in (a leader's fencing token), whoever wakes it", async () => {
    const { log } = recordingLog();
    const seen: (number | undefined)[] = [];
    const loop = new Loop('test', 1000, async () => seen.push(currentLease()), log);
    withLease(7, () => loop.start());
    await vi.advanceTimersByTimeAsync(0);
    withLease(9, () => loop.wake()); // an event appended by other fenced work
    await vi.advanceTimersByTimeAsync(0);
    loop.wake(); // an event from outside any leader work
    await vi.advanceTimersByTimeAsync(1000);
    expect(seen).toEqual([7, 7, 7, 7]);
    await loop.stop();
    // Started again under a new token (a new lease), its passes carry that one.
    withLease(8, () => loop.start());
    await vi.advanceTimersByTimeAsync(0);
    expect(seen.at(-1)).toBe(8);
    await loop.stop();
  });

  it('never overlaps itself: a slow pass delays the next one', async () => {
    const { log } = recordingLog();
    const gate = deferred();
    let running = 0;
    let maxRunning = 0;
    const pass = vi.fn(async () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      await gate.promise;
      running--;
    });
    const loop = new Loop('test', 100, pass, log);
    loop.start();
    await vi.advanceTimersByTimeAsync(1000);
    expect(pass).toHaveBeenCalledTimes(1);
    const manual = loop.runNow(); // joins the in-flight pass instead of starting another
    gate.resolve();
    await manual;
    await vi.advanceTimersByTimeAsync(100);
    expect(pass).toHaveBeenCalledTimes(2);
    expect(maxRunning).toBe(1);
    await loop.stop();
  });

  it('stop() waits for an in-flight pass to finish', async () => {
    const { log } = recordingLog();
    const gate = deferred();
    let finished = false;
    const loop = new Loop(
      'test',
      1000,
      async () => {
        await gate.promise;
        finished = true;
      },
      log,
    );
    loop.start();
    await vi.advanceTimersByTimeAsync(0);
    let stopped = false;
    const stopping = loop.stop().then(() => {
      stopped = true;
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false);
    gate.resolve();
    await stopping;
    expect(finished).toBe(true);
    expect(stopped).toBe(true);
  });

  it('logs a failing pass and keeps going, reporting each outcome', async () => {
    const { log, lines } = recordingLog();
    let calls = 0;
    const outcomes: string[] = [];
    const reporter = {
      passed: (name: string) => outcomes.push(`${name} passed`),
      failed: (name: string, err: unknown) => outcomes.push(`${name} failed: ${(err as Error).message}`),
    };
    const loop = new Loop(
      'sweeper',
      1000,
      async () => {
        calls++;
        if (calls === 1) throw new Error('database is locked');
      },
      log,
      reporter,
    );
    loop.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 50,
      loop: 'sweeper',
      msg: 'sweeper pass failed',
      err: { message: 'database is locked' },
    });
    await vi.advanceTimersByTimeAsync(1000);
    expect(calls).toBe(2);
    expect(lines).toHaveLength(1);
    expect(outcomes).toEqual(['sweeper failed: database is locked', 'sweeper passed']);
    await loop.stop();
  });
});
