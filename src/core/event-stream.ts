import type { MaestroEvent } from '../domain/index.js';
import type { Store } from '../store/index.js';

/** Events read from the log per query while catching up. */
const PAGE = 1000;

/** What a subscriber receives. */
export interface EventSink {
  /** Events in strictly increasing sequence order, each once. */
  onEvent(event: MaestroEvent): void;
  /** Caught up with the log; live events follow. `seq` is the last sequence delivered or known. */
  onReady(seq: number): void;
  /**
   * The cursor cannot be served without a gap (events older than the log retains, or a cursor
   * ahead of the log): reload a snapshot. Nothing more is delivered.
   */
  onResync(info: { since: number; firstSeq: number | null; lastSeq: number }): void;
}

/** An open subscription. */
export interface Subscription {
  close(): void;
}

/**
 * Ordered, gap-free event delivery from a cursor (docs/design.md §Delivery and resync; §Lifecycle guarantees (G9)): subscribes to live
 * events first, replays the log after `since`, then hands over to live events, dropping any
 * already delivered — so a reconnecting client misses nothing and sees nothing twice.
 */
export class EventStream {
  constructor(private readonly store: Store) {}

  /**
   * @param since deliver events with `seq > since`; `undefined` means "from now on"
   * @param sink receives the events
   */
  async subscribe(since: number | undefined, sink: EventSink): Promise<Subscription> {
    let closed = false;
    let live = false;
    let lastSent = 0;
    const buffered: MaestroEvent[] = [];
    const send = (event: MaestroEvent): void => {
      if (closed || event.seq <= lastSent) return;
      lastSent = event.seq;
      sink.onEvent(event);
    };
    const unsubscribe = this.store.onEvents((events) => {
      if (live) events.forEach(send);
      else buffered.push(...events);
    });
    const subscription = {
      close(): void {
        closed = true;
        unsubscribe();
      },
    };
    try {
      const lastSeq = await this.store.lastSeq();
      if (since === undefined) {
        lastSent = lastSeq;
      } else {
        const firstSeq = await this.store.firstSeq();
        const purged = firstSeq !== null && since < firstSeq - 1;
        if (since > lastSeq || purged) {
          subscription.close();
          sink.onResync({ since, firstSeq, lastSeq });
          return subscription;
        }
        lastSent = since;
        for (;;) {
          const page = await this.store.listEvents(lastSent, PAGE);
          page.forEach(send);
          if (page.length < PAGE || closed) break;
        }
      }
      live = true;
      buffered.splice(0).forEach(send);
      if (!closed) sink.onReady(lastSent);
      return subscription;
    } catch (err) {
      subscription.close();
      throw err;
    }
  }
}
