import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type EventSink, EventStream } from '../src/core/event-stream.js';
import type { MaestroEvent, NewEvent, Session } from '../src/domain/index.js';
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

/**
 * Holds the replay's next query of the log until `resume` is called: `before` it reads the log (what
 * commits meanwhile is read by it too) or `after` (what commits meanwhile is left for the hand-over).
 * `reached` settles once the query is held.
 */
function holdReplay(store: Store, when: 'before' | 'after'): { reached: Promise<void>; resume: () => void } {
  const reached = gate();
  const resume = gate();
  const listEvents = store.listEvents.bind(store);
  vi.spyOn(store, 'listEvents').mockImplementationOnce(async (after, limit) => {
    const page = when === 'after' ? await listEvents(after, limit) : undefined;
    reached.open();
    await resume.wait;
    return page ?? listEvents(after, limit);
  });
  return { reached: reached.wait, resume: resume.open };
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
    // The replay's query has read the log (1..5) but not yet delivered it when 6..8 commit.
    const replay = holdReplay(store, 'after');
    const sink = recorder();
    const subscribing = new EventStream(store).subscribe(2, sink);
    await replay.reached;
    await append(3); // committed during the replay: the stream holds them for the hand-over
    expect(sink.told).toEqual([]);
    replay.resume();
    const sub = await subscribing;
    await append(1);
    sub.close();
    expect(sink.told).toEqual([...[3, 4, 5, 6, 7, 8].map((event) => ({ event })), { ready: 8 }, { event: 9 }]);
  });

  it('events committed while the replay runs and also read by it are delivered once', async () => {
    await append(5);
    // This time the events commit before the replay's query reads the log: it sees them too.
    const replay = holdReplay(store, 'before');
    const sink = recorder();
    const subscribing = new EventStream(store).subscribe(0, sink);
    await replay.reached;
    await append(3);
    replay.resume();
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

describe('EventStream with a filter: the replay and the live part decide alike', () => {
  let store: Store;
  const sessionEvent = (id: string, projectId: string): NewEvent => ({
    type: 'session:deleted',
    data: { id, projectId, taskIds: [], reason: 'test' },
  });
  const agentState = (id: string): NewEvent => ({
    type: 'session:agent_state',
    data: { id, from: 'working', to: 'idle', at: 'x', version: 2, waitingFor: null, lastActivityAt: 'x' },
  });
  const append = (...events: NewEvent[]) => store.transaction((tx) => tx.appendEvents(events, T0));
  /** The ids of what a subscriber was told (`ready@seq` for ready). */
  const ids = (sink: { told: Told[] }, events: MaestroEvent[]) =>
    sink.told.map((t) =>
      'ready' in t ? `ready@${t.ready}` : 'event' in t ? events.find((e) => e.seq === t.event)?.data.id : '?',
    );

  beforeEach(async () => {
    store = await openSqliteStore(':memory:');
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await store.close();
  });

  it('a session filter replays and follows that session only, in order; ready names the last sequence looked at', async () => {
    await append(sessionEvent('sess_a', 'proj_p'), sessionEvent('sess_b', 'proj_p'), sessionEvent('sess_a', 'proj_p'));
    await append(sessionEvent('sess_c', 'proj_q'));
    const seen: MaestroEvent[] = [];
    const sink = recorder((e) => seen.push(e));
    const sub = await new EventStream(store).subscribe(0, sink, { sessionId: 'sess_a' });
    await append(sessionEvent('sess_b', 'proj_p'), sessionEvent('sess_a', 'proj_p'));
    sub.close();
    // Resuming from ready's 4 misses nothing of sess_a's: 2 and 4 were looked at and left out.
    expect(sink.told).toEqual([{ event: 1 }, { event: 3 }, { ready: 4 }, { event: 6 }]);
    expect(seen.every((e) => e.data.id === 'sess_a')).toBe(true);
  });

  it('a project filter reads the project of a session it does not know once, holding later events back meanwhile', async () => {
    const read = gate();
    const getSession = vi.spyOn(store, 'getSession').mockImplementation(async (id) => {
      await read.wait;
      return { id, projectId: id === 'sess_x' ? 'proj_p' : 'proj_q' } as Session;
    });
    await append(agentState('sess_x'), agentState('sess_y'));
    const stream = new EventStream(store);
    const first = recorder();
    const second = recorder();
    const subscribing = [
      stream.subscribe(0, first, { projectId: 'proj_p' }),
      stream.subscribe(0, second, { projectId: 'proj_p' }),
    ];
    await vi.waitFor(() => expect(getSession).toHaveBeenCalledTimes(2));
    expect(first.told).toEqual([]);
    read.open();
    const subs = await Promise.all(subscribing);
    // One read per session for both subscribers; sess_y is proj_q's.
    expect(getSession.mock.calls.map(([id]) => id)).toEqual(['sess_x', 'sess_y']);
    expect(first.told).toEqual([{ event: 1 }, { ready: 2 }]);
    expect(second.told).toEqual(first.told);

    // Live: an unknown session's event waits for its read; what commits meanwhile waits behind it.
    const slow = gate();
    getSession.mockImplementation(async (id) => {
      await slow.wait;
      return { id, projectId: 'proj_p' } as Session;
    });
    const all: MaestroEvent[] = [];
    store.onEvents((events) => all.push(...events));
    await append(agentState('sess_z'));
    await append(sessionEvent('sess_w', 'proj_p'), agentState('sess_x'), agentState('sess_y'));
    expect(first.told).toHaveLength(2);
    slow.open();
    await vi.waitFor(() => expect(first.told).toHaveLength(5));
    expect(ids(first, all).slice(2)).toEqual(['sess_z', 'sess_w', 'sess_x']);
    // The session it saw the deletion of (and its project) needs no read: only sess_z was read.
    expect(getSession).toHaveBeenCalledTimes(3);
    for (const sub of subs) sub.close();
  });

  it('a failed read of a project ends a live subscription with onError; during the replay it rejects', async () => {
    const getSession = vi.spyOn(store, 'getSession').mockRejectedValue(new Error('disk gone'));
    const errors: unknown[] = [];
    const sink = { ...recorder(), onError: (err: unknown) => errors.push(err) };
    await new EventStream(store).subscribe(undefined, sink, { projectId: 'proj_p' });
    await append(agentState('sess_x'));
    await vi.waitFor(() => expect(errors).toHaveLength(1));
    await append(sessionEvent('sess_y', 'proj_p'));
    expect(sink.told).toEqual([{ ready: 0 }]);
    await expect(new EventStream(store).subscribe(0, recorder(), { projectId: 'proj_p' })).rejects.toThrow('disk gone');
    expect(getSession).toHaveBeenCalledTimes(2);
  });

  /** Project reads that wait, each for its own gate, before answering `proj_p` (or failing with `error`). */
  const gatedReads = () => {
    const gates = new Map<string, ReturnType<typeof gate>>();
    const of = (id: string) => gates.get(id) ?? (gates.set(id, gate()).get(id) as ReturnType<typeof gate>);
    const failing = new Set<string>();
    const getSession = vi.spyOn(store, 'getSession').mockImplementation(async (id) => {
      await of(id).wait;
      if (failing.has(id)) throw new Error('disk gone');
      return { id, projectId: 'proj_p' } as Session;
    });
    const asked = (id: string) => vi.waitFor(() => expect(getSession.mock.calls.map(([i]) => i)).toContain(id));
    return { getSession, open: (id: string) => of(id).open(), failing, asked };
  };

  it('subscribe resolves once ready is told, after every read the hand-over and what committed meanwhile waited for', async () => {
    const reads = gatedReads();
    await append(sessionEvent('sess_a', 'proj_p'));
    const replay = holdReplay(store, 'after');
    const sink = recorder();
    let resolved = false;
    const subscribing = new EventStream(store).subscribe(0, sink, { projectId: 'proj_p' }).then((sub) => {
      resolved = true;
      return sub;
    });
    await replay.reached;
    await append(agentState('sess_z')); // 2: held for the hand-over, which must read sess_z's project
    replay.resume();
    await reads.asked('sess_z');
    await append(agentState('sess_v')); // 3: live, behind the hand-over, and needs a read of its own
    reads.open('sess_z');
    await reads.asked('sess_v');
    expect(sink.told).toEqual([{ event: 1 }, { event: 2 }]);
    expect(resolved).toBe(false);
    reads.open('sess_v');
    const sub = await subscribing;
    expect(sink.told).toEqual([{ event: 1 }, { event: 2 }, { event: 3 }, { ready: 3 }]);
    sub.close();
  });

  it('a failed read during the hand-over, or of an event that came live meanwhile, rejects subscribe and is not also told to onError', async () => {
    for (const fails of ['sess_z', 'sess_v']) {
      vi.restoreAllMocks();
      const reads = gatedReads();
      reads.failing.add(fails);
      const replay = holdReplay(store, 'after');
      const errors: unknown[] = [];
      const sink = { ...recorder(), onError: (err: unknown) => errors.push(err) };
      const subscribing = new EventStream(store).subscribe(await store.lastSeq(), sink, { projectId: 'proj_p' });
      await replay.reached;
      await append(agentState('sess_z')); // held for the hand-over
      replay.resume();
      await reads.asked('sess_z');
      await append(agentState('sess_v')); // live, queued behind the hand-over
      reads.open('sess_z');
      reads.open('sess_v');
      await expect(subscribing).rejects.toThrow('disk gone');
      expect(errors).toEqual([]);
    }
  });

  it('a replay waiting on a read queries the next page only after it: no page is read twice', async () => {
    const reads = gatedReads();
    await append(agentState('sess_z'), ...Array.from({ length: 1000 }, () => sessionEvent('sess_w', 'proj_p')));
    const pages = vi.spyOn(store, 'listEvents');
    const subscribing = new EventStream(store).subscribe(0, recorder(), { projectId: 'proj_p' });
    await reads.asked('sess_z');
    reads.open('sess_z');
    (await subscribing).close();
    expect(pages.mock.calls.map(([after]) => after)).toEqual([0, 1000]);
  });

  it('a subscriber that closed while a read was pending is not told that it failed', async () => {
    const reads = gatedReads();
    reads.failing.add('sess_z');
    const errors: unknown[] = [];
    const sink = { ...recorder(), onError: (err: unknown) => errors.push(err) };
    const sub = await new EventStream(store).subscribe(undefined, sink, { projectId: 'proj_p' });
    await append(agentState('sess_z'));
    await reads.asked('sess_z');
    sub.close();
    reads.open('sess_z');
    await expect(reads.getSession.mock.results[0]?.value).rejects.toThrow('disk gone');
    await append(sessionEvent('sess_y', 'proj_p')); // a later step of the stream, after the failure settled
    expect(errors).toEqual([]);
    expect(sink.told).toEqual([{ ready: 0 }]);
  });

  it('the hand-over does not read again the project of an event the replay already looked at', async () => {
    const getSession = vi.spyOn(store, 'getSession').mockResolvedValue(undefined); // sess_gone is deleted
    // The event commits before the replay's query: the replay reads it, and the hand-over holds it too.
    const replay = holdReplay(store, 'before');
    const sink = recorder();
    const subscribing = new EventStream(store).subscribe(0, sink, { projectId: 'proj_p' });
    await replay.reached;
    await append(agentState('sess_gone'));
    replay.resume();
    (await subscribing).close();
    expect(getSession.mock.calls).toEqual([['sess_gone']]);
    expect(sink.told).toEqual([{ ready: 1 }]);
  });

  it('steps wait in order behind reads; once the reads settle, a known session is delivered during its commit again', async () => {
    const reads = gatedReads();
    const sink = recorder();
    const sub = await new EventStream(store).subscribe(undefined, sink, { projectId: 'proj_p' });
    await append(agentState('sess_z')); // 1: read pending
    await append(agentState('sess_y')); // 2: queued behind 1, then reads too
    reads.open('sess_z');
    await reads.asked('sess_y');
    await append(sessionEvent('sess_w', 'proj_p')); // 3: must still wait behind 2
    expect(sink.told).toEqual([{ ready: 0 }, { event: 1 }]);
    reads.open('sess_y');
    await vi.waitFor(() => expect(sink.told).toEqual([{ ready: 0 }, { event: 1 }, { event: 2 }, { event: 3 }]));
    // Nothing pending now: the next event is delivered synchronously, before the commit's later listeners run.
    let toldAtCommit = 0;
    const off = store.onEvents(() => {
      toldAtCommit = sink.told.length;
    });
    await append(agentState('sess_z'));
    off();
    expect(toldAtCommit).toBe(5);
    sub.close();
  });
});
