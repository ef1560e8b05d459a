import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type EventSink, EventStream } from '../src/core/event-stream.js';
import type { MaestroEvent, NewEvent } from '../src/domain/index.js';
import { openSqliteStore, type Store } from '../src/store/index.js';

const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const marker = (n: number): NewEvent => ({
  type: 'session:deleted',
  data: { id: `sess_${n}`, projectId: 'proj_a', taskIds: [], reason: 'test' },
});

/** What a subscriber was told, in order. */
type Told = { event: number } | { ready: number } | { resync: { since: number; firstSeq: number | null; lastSeq: number } };

function recorder(onEvent?: (e: MaestroEvent) => void): EventSink & { told: Told[]; seqs: () => number[] } {
  const told: Told[] = [];
  return {
    told,
    seqs: () => told.flatMap((t) => ('event' in t ? [t.event] : [])),
    onEvent: (e) => {
      told.push({ event: e.seq });
      onEvent?.(e);
    },
    onReady: (seq) => told.push({ ready: seq }),
    onResync: (info) => told.push({ resync: info }),
  };
}

/** A promise and the function that settles it: lets a test stop the stream at an exact point. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open: () => void = () => undefined;
  const wait = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { wait, open };
}

describe('EventStream: ordered, gap-free delivery from a cursor', () => {
  let store: Store;
  let seq = 0;
  const append = async (count: number) => {
    const events = Array.from({ length: count }, () => marker(++seq));
    await store.transaction((tx) => tx.appendEvents(events, T0));
  };

  beforeEach(async () => {
    store = await openSqliteStore(':memory:');
    seq = 0;
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await store.close();
  });

  it('serves every cursor from one before the oldest kept event on; older ones, or ones ahead of the log, get a resync', async () => {
    await append(10);
    expect(await store.transaction((tx) => tx.pruneEvents(4))).toBe(4); // the log now holds 5..10
    const stream = new EventStream(store);
    const from = async (since: number | undefined) => {
      const sink = recorder();
      (await stream.subscribe(since, sink)).close();
      return sink.told;
    };
    const all = [5, 6, 7, 8, 9, 10].map((event) => ({ event }));
    expect(await from(4)).toEqual([...all, { ready: 10 }]); // firstSeq - 1: nothing missing
    expect(await from(3)).toEqual([{ resync: { since: 3, firstSeq: 5, lastSeq: 10 } }]); // firstSeq - 2: event 4 is gone
    expect(await from(0)).toEqual([{ resync: { since: 0, firstSeq: 5, lastSeq: 10 } }]);
    expect(await from(7)).toEqual([{ event: 8 }, { event: 9 }, { event: 10 }, { ready: 10 }]);
    expect(await from(10)).toEqual([{ ready: 10 }]);
    expect(await from(11)).toEqual([{ resync: { since: 11, firstSeq: 5, lastSeq: 10 } }]);
    expect(await from(undefined)).toEqual([{ ready: 10 }]);
  });

  it('an empty log serves cursor 0 and refuses any other', async () => {
    const stream = new EventStream(store);
    const zero = recorder();
    (await stream.subscribe(0, zero)).close();
    expect(zero.told).toEqual([{ ready: 0 }]);
    const ahead = recorder();
    (await stream.subscribe(1, ahead)).close();
    expect(ahead.told).toEqual([{ resync: { since: 1, firstSeq: null, lastSeq: 0 } }]);
  });

  it('a resynced subscription receives nothing more', async () => {
    await append(3);
    const sink = recorder();
    await new EventStream(store).subscribe(7, sink);
    await append(2);
    expect(sink.told).toEqual([{ resync: { since: 7, firstSeq: 1, lastSeq: 3 } }]);
  });

  it('replays in pages, then follows live events, each once and in order', async () => {
    await append(2500); // more than one page (1000 per query)
    const pages = vi.spyOn(store, 'listEvents');
    const sink = recorder();
    const sub = await new EventStream(store).subscribe(0, sink);
    expect(pages.mock.calls.map(([after]) => after)).toEqual([0, 1000, 2000]);
    await append(2);
    sub.close();
    await append(1); // after close: not delivered
    expect(sink.seqs()).toEqual(Array.from({ length: 2502 }, (_, i) => i + 1));
    expect(sink.told[2500]).toEqual({ ready: 2500 });
  });

  it('replays a log of exactly one page: a second query finds its end', async () => {
    await append(1000);
    const pages = vi.spyOn(store, 'listEvents');
    const sink = recorder();
    (await new EventStream(store).subscribe(0, sink)).close();
    expect(sink.seqs()).toHaveLength(1000);
    expect(sink.told.at(-1)).toEqual({ ready: 1000 });
    expect(pages.mock.calls.map(([after]) => after)).toEqual([0, 1000]);
  });

  it('events committed while the replay runs are handed over to live delivery, none dropped, none twice', async () => {
    await append(5);
    const replayRead = gate();
    const paused = gate();
    const listEvents = store.listEvents.bind(store);
    // The replay's query has read the log (1..5) but not yet delivered it when 6..8 commit.
    vi.spyOn(store, 'listEvents').mockImplementation(async (after, limit) => {
      const page = await listEvents(after, limit);
      paused.open();
      await replayRead.wait;
      return page;
    });
    const sink = recorder();
    const subscribing = new EventStream(store).subscribe(2, sink);
    await paused.wait;
    await append(3); // committed during the replay: the stream holds them for the hand-over
    expect(sink.told).toEqual([]);
    replayRead.open();
    const sub = await subscribing;
    await append(1);
    sub.close();
    expect(sink.told).toEqual([...[3, 4, 5, 6, 7, 8].map((event) => ({ event })), { ready: 8 }, { event: 9 }]);
  });

  it('events committed while the replay runs and also read by it are delivered once', async () => {
    await append(5);
    const paused = gate();
    const resume = gate();
    const listEvents = store.listEvents.bind(store);
    // This time the events commit before the replay's query reads the log: it sees them too.
    vi.spyOn(store, 'listEvents').mockImplementation(async (after, limit) => {
      paused.open();
      await resume.wait;
      return listEvents(after, limit);
    });
    const sink = recorder();
    const subscribing = new EventStream(store).subscribe(0, sink);
    await paused.wait;
    await append(3);
    resume.open();
    (await subscribing).close();
    expect(sink.told).toEqual([...[1, 2, 3, 4, 5, 6, 7, 8].map((event) => ({ event })), { ready: 8 }]);
  });

  it('from now on: events committed while it reads the end of the log are not delivered again', async () => {
    await append(2);
    const paused = gate();
    const resume = gate();
    const lastSeq = store.lastSeq.bind(store);
    vi.spyOn(store, 'lastSeq').mockImplementation(async () => {
      paused.open();
      await resume.wait;
      return lastSeq();
    });
    const sink = recorder();
    const subscribing = new EventStream(store).subscribe(undefined, sink);
    await paused.wait;
    await append(2); // 3, 4: heard live, and counted in the end it then reads
    resume.open();
    const sub = await subscribing;
    await append(1);
    sub.close();
    expect(sink.told).toEqual([{ ready: 4 }, { event: 5 }]);
  });

  it('a subscriber closing while a batch is delivered gets nothing more of it', async () => {
    let sub: { close(): void } | undefined;
    const sink = recorder(() => sub?.close());
    sub = await new EventStream(store).subscribe(undefined, sink);
    await append(3); // one batch of three
    expect(sink.told).toEqual([{ ready: 0 }, { event: 1 }]);
  });

  it('a failed read closes the subscription and rejects', async () => {
    await append(2);
    const unsubscribed = vi.fn();
    const onEvents = store.onEvents.bind(store);
    vi.spyOn(store, 'onEvents').mockImplementation((listener) => {
      const off = onEvents(listener);
      return () => {
        unsubscribed();
        return off();
      };
    });
    vi.spyOn(store, 'listEvents').mockRejectedValue(new Error('disk gone'));
    const sink = recorder();
    await expect(new EventStream(store).subscribe(0, sink)).rejects.toThrow('disk gone');
    expect(unsubscribed).toHaveBeenCalledTimes(1);
    await append(1);
    expect(sink.told).toEqual([]);
  });
});
