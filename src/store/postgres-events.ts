import { type Kysely, sql } from 'kysely';
import pg from 'pg';
import { type MaestroEvent, StaleLeaseError } from '../domain/index.js';
import type { Database } from './schema.js';
import type { StoreTx } from './store.js';
import type { EventTailer } from './transaction-queue.js';
import { appendInChunks } from './tx/events.js';
import { kyselyTx } from './tx/index.js';

/** Advisory lock key of the sequencing step (the only thing that serialises event order across nodes). */
const SEQUENCE_LOCK = 7_420_001;
/** First key of the transaction-scoped locks of {@link StoreTx.lockScope} (the second is the scope's hash). */
const SCOPE_LOCKS = 7_420_003;
/** How often a node re-reads the log even without a notification, in milliseconds (a missed NOTIFY costs at most this). */
const SAFETY_POLL_MS = 1000;
const PAGE = 1000;

/**
 * The handle of one PostgreSQL transaction over `trx`: the engine-neutral one, with
 *
 * - event appends that go to `event_outbox`, without any lock: the transaction gets its events'
 *   place in the log after it commits ({@link sequenceOutbox}, run by the writing node before it
 *   answers), so no writer ever waits for another node's transaction to end (docs/design.md §Nodes).
 * - {@link StoreTx.lockScope} as a transaction-scoped advisory lock on the scope's hash;
 * - {@link StoreTx.requireLease} reading the leader lease's row `for share`.
 * @param onAppend told of every event appended through it (their `seq` is 0: not yet placed)
 */
export function postgresTx(trx: Kysely<Database>, onAppend: (events: MaestroEvent[]) => void): StoreTx {
  return {
    ...kyselyTx(trx, onAppend),
    async appendEvents(events, at) {
      if (events.length === 0) return [];
      const appended = await appendInChunks(events, at, async (rows) => {
        await trx.insertInto('event_outbox').values(rows).execute();
        return null; // placed after commit
      });
      onAppend(appended);
      return appended;
    },
    async lockScope(scope) {
      await sql`select pg_advisory_xact_lock(${SCOPE_LOCKS}, hashtext(${scope}))`.execute(trx);
    },
    async requireLease(token) {
      const row = await trx.selectFrom('leases').select('token').where('name', '=', 'leader').forShare().executeTakeFirst();
      const current = row ? Number(row.token) : null;
      if (current !== token) throw new StaleLeaseError(token, current);
    },
  };
}

/**
 * The sequencing step: moves every committed event of `event_outbox` into `events`, in the order
 * they were appended, under one advisory lock held only for this short transaction. Sequencing
 * transactions therefore commit one after another, and each takes its sequence numbers after the
 * previous one committed: `seq` order is commit order, so a reader following `seq > last` never
 * skips an event committed late. A frozen node can hold this lock only until its connection is
 * closed for idling in a transaction (`idleInTransactionMs`); writers never wait for it.
 * Notifies `channel` when it moved anything. Returns how many it moved.
 * @throws Error when the lock is not granted within the lock timeout (the next catch-up retries)
 */
export async function sequenceOutbox(db: Kysely<Database>, channel: string): Promise<number> {
  // Nothing committed waiting: no lock, one index probe.
  if (!(await db.selectFrom('event_outbox').select('n').limit(1).executeTakeFirst())) return 0;
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${SEQUENCE_LOCK})`.execute(trx);
    let moved = 0;
    for (;;) {
      // Rows are inserted in the select's order, so within a batch too `seq` follows the append order.
      const { rows } = await sql<{ seq: string }>`
        with moved as (
          delete from event_outbox where n in (select n from event_outbox order by n limit ${PAGE})
          returning n, id, type, at, data
        )
        insert into events (id, type, at, data) select id, type, at, data from moved order by n
        returning seq`.execute(trx);
      moved += rows.length;
      if (rows.length < PAGE) break;
    }
    if (moved > 0) await sql`select pg_notify(${channel}, '')`.execute(trx);
    return moved;
  });
}

/**
 * Follows the shared event log with LISTEN/NOTIFY (the sequencing step notifies; the notification
 * carries nothing, events are read from the table), plus a slow poll that catches anything a
 * dropped listening connection missed. {@link catchUp} — after this node's own commits, and in
 * the poll — first runs the sequencing step (`sequence`), then reads; a notification only reads
 * (the node that placed the events already did the rest, so nodes do not all queue on the
 * sequencing lock for every write). The poll's sequencing places what a node that died between
 * its commit and its sequencing left behind. Catch-ups are single-flight; a request during one
 * runs one more.
 */
export class PgEventTailer implements EventTailer {
  private client: pg.Client | undefined;
  private timer: NodeJS.Timeout | undefined;
  private last = 0;
  private deliver: (events: MaestroEvent[]) => void = () => undefined;
  private reading: Promise<void> | undefined;
  private again = false;
  /** Whether the next round of the running catch-up sequences first. */
  private sequenceAgain = false;

  constructor(
    private readonly url: string,
    readonly channel: string,
    private readonly read: (afterSeq: number, limit: number) => Promise<MaestroEvent[]>,
    private readonly sequence: () => Promise<unknown>,
    private readonly options: pg.ClientConfig,
  ) {}

  async start(fromSeq: number, deliver: (events: MaestroEvent[]) => void): Promise<void> {
    this.last = fromSeq;
    this.deliver = deliver;
    this.client = new pg.Client({ connectionString: this.url, ...this.options });
    this.client.on('notification', () => void this.run(false));
    this.client.on('error', () => undefined); // the safety poll covers a lost listener
    await this.client.connect();
    await this.client.query(`LISTEN ${this.channel}`);
    this.timer = setInterval(() => void this.catchUp(), SAFETY_POLL_MS);
    this.timer.unref();
  }

  catchUp(): Promise<void> {
    return this.run(true);
  }

  private run(sequence: boolean): Promise<void> {
    this.sequenceAgain ||= sequence;
    if (this.reading) {
      this.again = true;
      return this.reading;
    }
    this.reading = (async () => {
      do {
        this.again = false;
        const sequencing = this.sequenceAgain;
        this.sequenceAgain = false;
        // A sequencing step that failed (its lock timed out behind a frozen node) is retried by
        // the next catch-up; what is already placed is delivered meanwhile.
        if (sequencing) await this.sequence().catch(() => undefined);
        for (;;) {
          const page = await this.read(this.last, PAGE).catch(() => [] as MaestroEvent[]);
          if (page.length === 0) break;
          this.last = (page.at(-1) as MaestroEvent).seq;
          this.deliver(page);
          if (page.length < PAGE) break;
        }
      } while (this.again);
    })().finally(() => {
      this.reading = undefined;
    });
    return this.reading;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.reading;
    await this.client?.end().catch(() => undefined);
  }
}
