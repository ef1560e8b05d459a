import { type Kysely, Migrator, sql } from 'kysely';
import type { MaestroEvent } from '../domain/index.js';
import type { Engine } from './engine.js';
import { KyselyTx } from './kysely-tx.js';
import { migrationProvider } from './migrations/index.js';
import type { Database } from './schema.js';
import { namedStorageError } from './storage-errors.js';
import type { EventListener, Leadership, Store, StoreTx } from './store.js';

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

/** Transactions sharing one SQLite commit, at most. */
const MAX_GROUP = 64;

/** A queued {@link KyselyStore.transaction} call. */
interface Job {
  fn: (tx: StoreTx) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** How one job of a batch went; its events are delivered only when it succeeded. */
type Outcome = { ok: true; value: unknown; appended: MaestroEvent[] } | { ok: false; error: unknown };

/**
 * A {@link Store} over any Kysely dialect. Write transactions run one at a time in this process,
 * and each one's events are delivered to listeners after it commits and before the next one
 * starts, so listeners see events in sequence order without gaps.
 */
export class KyselyStore extends KyselyTx implements Store {
  private readonly listeners = new Set<EventListener>();
  /** Transactions waiting for the running batch to finish. */
  private readonly pending: Job[] = [];
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;

  /**
   * @param engine which engine `kysely` talks to
   * @param makeTx builds the handle of one transaction (an engine may supply faster bulk writes)
   * @param tailer when given, events reach listeners from the shared log (written by every node)
   *   instead of straight from this process's commits
   */
  constructor(
    readonly engine: Engine,
    private readonly kysely: Kysely<Database>,
    private readonly makeTx: (trx: Kysely<Database>, onAppend: (events: MaestroEvent[]) => void) => KyselyTx = (trx, onAppend) =>
      new KyselyTx(trx, onAppend),
    private readonly tailer?: EventTailer,
    readonly leadership: Leadership = { tryLead: async () => true, release: async () => undefined },
  ) {
    super(kysely);
  }

  /** Starts following the shared event log, from its current end. */
  async startTailing(): Promise<void> {
    await this.tailer?.start(await this.lastSeq(), (events) => this.deliver(events));
  }

  /**
   * Applies every pending migration.
   * @throws Error when a migration fails (the failing one is rolled back)
   */
  async migrate(): Promise<void> {
    // On PostgreSQL, name the schema: without it Kysely takes migration tables found in any schema
    // of the database (another Maestro's, another application's) for ours.
    const migrationTableSchema =
      this.engine === 'postgres'
        ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(this.kysely)).rows[0]?.schema
        : undefined;
    const migrator = new Migrator({
      db: this.kysely,
      provider: migrationProvider(this.engine),
      ...(migrationTableSchema ? { migrationTableSchema } : {}),
    });
    const { error } = await migrator.migrateToLatest();
    if (error) throw new Error('database migration failed', { cause: error });
  }

  transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error('store is closed'));
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ fn, resolve: resolve as (value: unknown) => void, reject } as Job);
      if (this.pending.length === 1) {
        const next = this.tail.then(() => this.runPending());
        this.tail = next.catch(() => undefined);
      }
    });
  }

  /**
   * Runs every transaction queued so far. On SQLite they share one database transaction — group
   * commit: each runs inside its own savepoint (a failure rolls back only its own writes) and one
   * durable COMMIT, one fsync, covers them all. Nobody is answered before that commit, so every
   * acknowledged write is on disk; under load, one fsync serves many requests instead of one each.
   * On PostgreSQL each runs in its own transaction (commits are the server's business there).
   */
  private async runPending(): Promise<void> {
    while (this.pending.length > 0) {
      // One turn of the event loop first: requests that arrived during the last (synchronous)
      // commit get parsed and join this batch instead of each waiting for a commit of its own.
      if (this.engine === 'sqlite') await new Promise((resolve) => setImmediate(resolve));
      const batch = this.pending.splice(0, this.engine === 'sqlite' ? MAX_GROUP : 1);
      const outcomes = await this.runBatch(batch);
      const appended = outcomes.flatMap((o) => (o.ok ? o.appended : []));
      if (appended.length > 0) {
        if (this.tailer) await this.tailer.catchUp().catch(() => undefined);
        else this.deliver(appended);
      }
      batch.forEach((job, i) => {
        const outcome = outcomes[i] as Outcome;
        if (outcome.ok) job.resolve(outcome.value);
        else job.reject(namedStorageError(outcome.error));
      });
    }
  }

  /** One database transaction for `batch`; a failure of the whole (BEGIN, COMMIT) fails every job. */
  private async runBatch(batch: Job[]): Promise<Outcome[]> {
    const grouped = batch.length > 1;
    try {
      return await this.kysely.connection().execute(async (conn) => {
        // SQLite: take the write lock up front (BEGIN IMMEDIATE), so two connections never both
        // read under a shared lock and then deadlock upgrading it; they queue on busy_timeout.
        await sql.raw(this.engine === 'sqlite' ? 'begin immediate' : 'begin').execute(conn);
        const outcomes: Outcome[] = [];
        try {
          for (const job of batch) {
            let appended: MaestroEvent[] = [];
            const tx = this.makeTx(conn, (events) => {
              appended = appended.concat(events);
            });
            if (grouped) await sql.raw('savepoint maestro_tx').execute(conn);
            try {
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

  onEvents(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.tail;
    this.listeners.clear();
    await this.tailer?.stop();
    await this.leadership.release();
    await this.kysely.destroy();
  }

  private deliver(events: MaestroEvent[]): void {
    for (const listener of this.listeners) {
      try {
        listener(events);
      } catch {
        // A listener's failure must not undo a committed write nor starve the other listeners.
      }
    }
  }
}
