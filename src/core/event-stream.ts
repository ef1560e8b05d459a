import { type EventFilter, eventSelector, type MaestroEvent } from '../domain/index.js';
import type { Store } from '../store/index.js';
import { SessionProjects } from './session-projects.js';

/** Events read from the log per query while catching up. */
const PAGE = 1000;

/** What a subscriber receives. */
export interface EventSink {
  /** Events in strictly increasing sequence order, each once (with a filter: those it lets through). */
  onEvent(event: MaestroEvent): void;
  /**
   * Caught up with the log; live events follow. `seq` is the last sequence the stream has looked
   * at, delivered or filtered out: resuming from it misses nothing the filter lets through.
   */
  onReady(seq: number): void;
  /**
   * The cursor cannot be served without a gap (events older than the log retains, or a cursor
   * ahead of the log): reload a snapshot. Nothing more is delivered.
   */
  onResync(info: { since: number; firstSeq: number | null; lastSeq: number }): void;
  /**
   * A read the filter needed (a session's project) failed after `subscribe` returned. Nothing more
   * is delivered: the client resumes from the last sequence it received.
   */
  onError?(err: unknown): void;
}

/** An open subscription. */
export interface Subscription {
  close(): void;
}

/**
 * Ordered, gap-free event delivery from a cursor (docs/design.md §Delivery and resync; §Lifecycle guarantees (G9)): subscribes to live
 * events first, replays the log after `since`, then hands over to live events, dropping any
 * already delivered — so a reconnecting client misses nothing and sees nothing twice. A filter
 * (`src/domain/event-filter.ts`) decides, for the replay and the live part alike, what reaches the
 * subscriber.
 */
export class EventStream {
  private readonly projects: SessionProjects;

  constructor(private readonly store: Store) {
    this.projects = new SessionProjects(store);
  }

  /**
   * @param since deliver events with `seq > since`; `undefined` means "from now on"
   * @param sink receives the events
   * @param filter which events (and which entries of a batch) the sink receives; none: all
   * @throws what the store throws while replaying (the subscription is closed first)
   */
  async subscribe(since: number | undefined, sink: EventSink, filter: EventFilter = {}): Promise<Subscription> {
    const selector = eventSelector(filter);
    const projectOf = (id: string) => this.projects.get(id);
    let closed = false;
    let live = false;
    let returned = false;
    let lastSent = 0;
    const buffered: MaestroEvent[] = [];
    const send = (event: MaestroEvent): void => {
      if (closed || event.seq <= lastSent) return;
      lastSent = event.seq;
      const shown = selector ? selector.select(event, projectOf) : event;
      if (shown) sink.onEvent(shown);
    };
    const order = new InOrder();
    // Synchronous unless a project filter meets a session whose project is not known yet: then
    // these events, and every later step, wait for that read, so the order holds.
    const deliver = (events: readonly MaestroEvent[]): Promise<void> | undefined =>
      order.run(() => {
        const unplaced = selector
          ? events.flatMap((e) => (e.seq > lastSent ? selector.unplaced(e) : [])).filter((id) => !projectOf(id))
          : [];
        if (unplaced.length === 0) return events.forEach(send);
        return this.projects.place(unplaced).then(() => events.forEach(send));
      });
    const unsubscribe = this.store.onEvents((events) => {
      if (!live) buffered.push(...events);
      else
        deliver(events)?.catch((err: unknown) => {
          if (closed) return;
          subscription.close();
          if (returned) sink.onError?.(err);
        });
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
          await deliver(page); // live events meanwhile are buffered: a tick here changes nothing
          if (page.length < PAGE || closed) break;
        }
      }
      live = true;
      const handedOver = deliver(buffered.splice(0));
      if (handedOver) await handedOver;
      const ready = order.run(() => {
        if (!closed) sink.onReady(lastSent);
      });
      if (ready) await ready;
      returned = true;
      return subscription;
    } catch (err) {
      subscription.close();
      throw err;
    }
  }
}

/**
 * Runs steps one after another: at once (synchronously) while none is pending, else after the
 * pending ones. A step that returns a promise holds back every later step until it settles; once
 * one fails, the later steps already queued fail with it.
 */
class InOrder {
  private tail: Promise<void> | undefined;

  /** @returns undefined when the step ran synchronously, else a promise of it (and of the steps before it) */
  run(step: () => void | Promise<void>): Promise<void> | undefined {
    if (this.tail) return this.hold(this.tail.then(step));
    const result = step();
    return result ? this.hold(result) : undefined;
  }

  private hold(pending: Promise<void>): Promise<void> {
    this.tail = pending;
    const release = () => {
      if (this.tail === pending) this.tail = undefined;
    };
    pending.then(release, release);
    return pending;
  }
}
