import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { MaestroEvent } from '../../domain/index.js';
import { openSqliteStore, type Store } from '../../store/index.js';
import { ManualClock } from '../clock.js';
import { LoopMonitor } from './loop-monitor.js';

describe('LoopMonitor', () => {
  let store: Store | undefined;
  afterEach(async () => {
    await store?.close();
    store = undefined;
  });

  /** A monitor on a real in-memory store, with every committed event collected. */
  async function setUp() {
    const s = await openSqliteStore(':memory:');
    store = s;
    const events: MaestroEvent[] = [];
    s.onEvents((batch) => events.push(...batch));
    const clock = new ManualClock(Date.parse('2026-11-30T10:00:00Z'));
    const monitor = new LoopMonitor({ store: s, clock, log: pino({ level: 'silent' }) });
    // Appends are fire-and-forget; an empty transaction queued after them commits after them.
    const settled = () => s.transaction(async () => undefined);
    return { monitor, events, clock, settled };
  }

  it('appends loop:failed on the first failure in a row and loop:recovered on the next pass, nothing in between', async () => {
    const { monitor, events, clock, settled } = await setUp();
    monitor.passed('sweeper');
    monitor.failed('sweeper', new Error('disk I/O error'));
    clock.advance(300_000);
    monitor.failed('sweeper', new Error('database is locked'));
    await settled();
    expect(events.map((e) => [e.type, e.data])).toEqual([['loop:failed', { loop: 'sweeper', message: 'disk I/O error' }]]);
    expect(monitor.failures()).toEqual([
      { loop: 'sweeper', since: '2026-11-30T10:00:00.000Z', failures: 2, message: 'database is locked' },
    ]);
    expect(monitor.states()).toEqual([{ loop: 'sweeper', failing: true }]);

    monitor.passed('sweeper');
    monitor.passed('sweeper');
    await settled();
    expect(events.map((e) => [e.type, e.data])).toEqual([
      ['loop:failed', { loop: 'sweeper', message: 'disk I/O error' }],
      ['loop:recovered', { loop: 'sweeper', failures: 2 }],
    ]);
    expect(monitor.failures()).toEqual([]);
    expect(monitor.states()).toEqual([{ loop: 'sweeper', failing: false }]);
  });

  it('keeps each loop apart and takes a thrown non-Error as its message', async () => {
    const { monitor, events, settled } = await setUp();
    monitor.failed('reconciler', 'tmux went away');
    monitor.passed('scheduler');
    await settled();
    expect(events.map((e) => e.data)).toEqual([{ loop: 'reconciler', message: 'tmux went away' }]);
    expect(monitor.states()).toEqual([
      { loop: 'reconciler', failing: true },
      { loop: 'scheduler', failing: false },
    ]);
  });

  it('a failure to append the event (the store is what fails) is logged, never thrown, and the loop still reads failing', async () => {
    const s = await openSqliteStore(':memory:');
    const lines: Record<string, unknown>[] = [];
    let logged: () => void = () => undefined;
    const written = new Promise<void>((resolve) => {
      logged = resolve;
    });
    const log = pino(
      {},
      {
        write: (l: string) => {
          lines.push(JSON.parse(l));
          logged();
        },
      },
    );
    const monitor = new LoopMonitor({ store: s, clock: new ManualClock(), log });
    await s.close();
    monitor.failed('sweeper', new Error('disk full'));
    await written;
    expect(lines[0]).toMatchObject({ msg: 'could not append the loop event', type: 'loop:failed', loop: 'sweeper' });
    expect(monitor.states()).toEqual([{ loop: 'sweeper', failing: true }]);
  });
});
