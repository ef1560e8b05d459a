import { type Kysely, sql } from 'kysely';
import pg from 'pg';
import type { MaestroEvent } from '../domain/index.js';
import type { Database } from './schema.js';
import type { StoreTx } from './store.js';
import type { EventTailer } from './transaction-queue.js';
import { kyselyTx } from './tx/index.js';

/** Advisory lock key that serialises event appends across nodes (so commit order = sequence order). */
const EVENT_LOCK = 7_420_001;
/** How often a node re-reads the log even without a notification, in milliseconds (a missed NOTIFY costs at most this). */
const SAFETY_POLL_MS = 1000;
const PAGE = 1000;

/**
 * The handle of one PostgreSQL transaction over `trx`: the engine-neutral one, whose event appends
 * hold a transaction-level advisory lock until commit, so sequence numbers are committed in order on
 * every node and a reader following `seq > last` never skips one committed late. Each append
 * notifies `channel` with the newest sequence (PostgreSQL delivers it at commit).
 * @param onAppend told of every event appended through it
 */
export function postgresTx(trx: Kysely<Database>, onAppend: (events: MaestroEvent[]) => void, channel: string): StoreTx {
  const tx = kyselyTx(trx, onAppend);
  return {
    ...tx,
    async appendEvents(events, at) {
      if (events.length === 0) return [];
      await sql`select pg_advisory_xact_lock(${EVENT_LOCK})`.execute(trx);
      const appended = await tx.appendEvents(events, at);
      await sql`select pg_notify(${channel}, ${String(appended.at(-1)?.seq ?? 0)})`.execute(trx);
      return appended;
    },
  };
}

/**
 * Follows the shared event log with LISTEN/NOTIFY (the notification carries only a sequence
 * number; events are read from the table), plus a slow poll that catches anything a dropped
 * listening connection missed. Reads are single-flight; a request during a read runs one more.
 */
export class PgEventTailer implements EventTailer {
  private client: pg.Client | undefined;
  private timer: NodeJS.Timeout | undefined;
  private last = 0;
  private deliver: (events: MaestroEvent[]) => void = () => undefined;
  private reading: Promise<void> | undefined;
  private again = false;

  constructor(
    private readonly url: string,
    readonly channel: string,
    private readonly read: (afterSeq: number, limit: number) => Promise<MaestroEvent[]>,
  ) {}

  async start(fromSeq: number, deliver: (events: MaestroEvent[]) => void): Promise<void> {
    this.last = fromSeq;
    this.deliver = deliver;
    this.client = new pg.Client({ connectionString: this.url });
    this.client.on('notification', () => void this.catchUp());
    this.client.on('error', () => undefined); // the safety poll covers a lost listener
    await this.client.connect();
    await this.client.query(`LISTEN ${this.channel}`);
    this.timer = setInterval(() => void this.catchUp(), SAFETY_POLL_MS);
    this.timer.unref();
  }

  catchUp(): Promise<void> {
    if (this.reading) {
      this.again = true;
      return this.reading;
    }
    this.reading = (async () => {
      do {
        this.again = false;
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

/** Advisory lock key of leadership (session-level: held while the node's connection lives). */
const LEADER_LOCK = 7_420_002;

/**
 * Leadership by a PostgreSQL session-level advisory lock on a dedicated connection: the first node
 * to take it leads; when that node dies its connection closes, the lock is freed and the next
 * node's `tryLead` takes it.
 */
export class PgLeadership {
  private client: pg.Client | undefined;
  private leading = false;

  constructor(private readonly url: string) {}

  async tryLead(): Promise<boolean> {
    try {
      if (!this.client) {
        const client = new pg.Client({ connectionString: this.url });
        client.on('error', () => {
          this.leading = false;
          this.client = undefined;
        });
        await client.connect();
        this.client = client;
      }
      if (this.leading) {
        await this.client.query('select 1'); // still connected, so still holding the lock
        return true;
      }
      const result = await this.client.query<{ locked: boolean }>('select pg_try_advisory_lock($1) as locked', [LEADER_LOCK]);
      this.leading = result.rows[0]?.locked === true;
      return this.leading;
    } catch {
      this.leading = false;
      await this.client?.end().catch(() => undefined);
      this.client = undefined;
      return false;
    }
  }

  async release(): Promise<void> {
    this.leading = false;
    await this.client?.end().catch(() => undefined);
    this.client = undefined;
  }
}
