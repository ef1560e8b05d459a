import { type Kysely, sql } from 'kysely';
import type { MaestroEvent } from '../domain/index.js';
import type { EngineCapabilities } from './capabilities.js';
import { currentLease, withoutLease } from './fencing.js';
import type { Database } from './schema.js';
import { namedStorageError } from './storage-errors.js';
import type { EventListener, Leadership, StoreTx } from './store.js';

/**
 * Follows an event log that other processes append to as well, delivering every event once and in
 * sequence order.
 */
export interface EventTailer {
  /** Starts after `fromSeq`, handing events to `deliver`. */
  start(fromSeq: number, deliver: (events: MaestroEvent[]) => void): Promise<void>;
  /** Delivers everything committed so far; resolves when done. */
  catchUp(): Promise<void>;
  stop(): Promise<void>;
}

/** A queued {@link Store.transaction} call. */
interface Job {
  fn: (tx: StoreTx) => Promise<unknown>;
  /** The leader lease's token when it was started as leader-only work (checked before `fn`). */
  lease: number | undefined;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** How one job of a batch went; its events are delivered only when it succeeded. */
type Outcome = { ok: true; value: unknown; appended: MaestroEvent[] } | { ok: false; error: unknown };

/**
 * The write side of a store over any Kysely dialect. Write transactions run one at a time in this
 * process, and each one's events are delivered to listeners after it commits, in sequence order
 * without gaps: on the process's own log (SQLite) before the next one starts; on a shared log
 * (PostgreSQL) by the tailer, while the next one runs. Either way a writer is answered only once
 * its events were delivered.
 */
export class TransactionQueue {
  private readonly listeners = new Set<EventListener>();
  /** Transactions waiting for the running batch to finish. */
  private readonly pending: Job[] = [];
  private tail: Promise<unknown> = Promise.resolve();
  /** Batches committed on a shared log whose writers wait for their events' delivery. */
  private readonly delivering = new Set<Promise<void>>();
  private closed = false;

  constructor(
    private readonly kysely: Kysely<Database>,
    private readonly capabilities: EngineCapabilities,
    private readonly tailer: EventTailer | undefined,
    private readonly leadership: Leadership,
  ) {}

  /** {@link Store.transaction}. */
  run<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error('store is closed'));
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ fn, lease: currentLease(), resolve: resolve as (value: unknown) => void, reject } as Job);
      if (this.pending.length === 1) {
        const next = this.tail.then(() => this.runPending());
        this.tail = next.catch(() => undefined);
      }
    });
  }

  /**
   * Runs every transaction queued so far, up to `maxGroup` sharing one database transaction — group
   * commit (SQLite): each runs inside its own savepoint (a failure rolls back only its own writes)
   * and one durable COMMIT, one fsync, covers them all. Nobody is answered before that commit, so
   * every acknowledged write is on disk; under load, one fsync serves many requests instead of one
   * each. With `maxGroup` 1 (PostgreSQL) each runs in its own transaction (commits are the
   * server's business there).
   */
  private async runPending(): Promise<void> {
    while (this.pending.length > 0) {
      await this.capabilities.batchDelay();
      const batch = this.pending.splice(0, this.capabilities.maxGroup);
      const outcomes = await this.runBatch(batch);
      const appended = outcomes.flatMap((o) => (o.ok ? o.appended : []));
      const settle = () =>
        batch.forEach((job, i) => {
          const outcome = outcomes[i] as Outcome;
          if (outcome.ok) job.resolve(outcome.value);
          else job.reject(namedStorageError(outcome.error));
        });
      const tailer = this.tailer;
      // Listeners react outside the writer's context: a fenced writer's token is not theirs.
      if (appended.length === 0) settle();
      else if (!tailer) {
        withoutLease(() => this.deliver(appended));
        settle();
      } else {
        // Shared log (PostgreSQL): the next batch starts while this one's events are placed and
        // read — the tailer merges catch-ups, so one sequencing step serves several batches — and
        // these writers are answered once their events were delivered.
        const delivered = withoutLease(() => tailer.catchUp())
          .catch(() => undefined)
          .then(settle);
        this.delivering.add(delivered);
        void delivered.finally(() => this.delivering.delete(delivered));
      }
    }
  }

  /** One database transaction for `batch`; a failure of the whole (BEGIN, COMMIT) fails every job. */
  private async runBatch(batch: Job[]): Promise<Outcome[]> {
    const grouped = batch.length > 1;
    try {
      return await this.kysely.connection().execute(async (conn) => {
        await sql.raw(this.capabilities.beginSql).execute(conn);
        const outcomes: Outcome[] = [];
        try {
          for (const job of batch) {
            let appended: MaestroEvent[] = [];
            const tx = this.capabilities.makeTx(conn, (events) => {
              appended = appended.concat(events);
            });
            if (grouped) await sql.raw('savepoint maestro_tx').execute(conn);
            try {
              if (job.lease !== undefined) await tx.requireLease(job.lease);
              const value = await job.fn(tx);
              if (grouped) await sql.raw('release maestro_tx').execute(conn);
              outcomes.push({ ok: true, value, appended });
            } catch (error) {
              if (!grouped) throw error;
              await sql.raw('rollback to maestro_tx').execute(conn);
              await sql.raw('release maestro_tx').execute(conn);
              outcomes.push({ ok: false, error });
            }
          }
          await sql.raw('commit').execute(conn);
          return outcomes;
        } catch (err) {
          await sql
            .raw('rollback')
            .execute(conn)
            .catch(() => undefined);
          throw err;
        }
      });
    } catch (error) {
      return batch.map(() => ({ ok: false, error }));
    }
  }

  /** {@link Store.onEvents}. */
  onEvents(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** {@link Store.close}. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.tail;
    await Promise.all(this.delivering);
    this.listeners.clear();
    await this.tailer?.stop();
    await this.leadership.release();
    await this.kysely.destroy();
  }

  /** Hands committed `events` to every listener. */
  deliver(events: MaestroEvent[]): void {
    for (const listener of this.listeners) {
      try {
        listener(events);
      } catch {
        // A listener's failure must not undo a committed write nor starve the other listeners.
      }
    }
  }
}
