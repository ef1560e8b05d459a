import { type Kysely, Migrator, sql } from 'kysely';
import type { MaestroEvent } from '../domain/index.js';
import type { Engine } from './engine.js';
import { KyselyTx } from './kysely-tx.js';
import { migrationProvider } from './migrations/index.js';
import type { Database } from './schema.js';
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

/**
 * A {@link Store} over any Kysely dialect. Write transactions run one at a time in this process,
 * and each one's events are delivered to listeners after it commits and before the next one
 * starts, so listeners see events in sequence order without gaps.
 */
export class KyselyStore extends KyselyTx implements Store {
  private readonly listeners = new Set<EventListener>();
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
    const migrator = new Migrator({ db: this.kysely, provider: migrationProvider(this.engine) });
    const { error } = await migrator.migrateToLatest();
    if (error) throw new Error('database migration failed', { cause: error });
  }

  transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error('store is closed'));
    const run = async (): Promise<T> => {
      let appended: MaestroEvent[] = [];
      const result = await this.kysely.connection().execute(async (conn) => {
        // SQLite: take the write lock up front (BEGIN IMMEDIATE), so two connections never both
        // read under a shared lock and then deadlock upgrading it; they queue on busy_timeout.
        await sql.raw(this.engine === 'sqlite' ? 'begin immediate' : 'begin').execute(conn);
        try {
          const value = await fn(
            this.makeTx(conn, (events) => {
              appended = appended.concat(events);
            }),
          );
          await sql.raw('commit').execute(conn);
          return value;
        } catch (err) {
          await sql
            .raw('rollback')
            .execute(conn)
            .catch(() => undefined);
          throw err;
        }
      });
      if (appended.length > 0) {
        if (this.tailer) await this.tailer.catchUp();
        else this.deliver(appended);
      }
      return result;
    };
    const next = this.tail.then(run, run);
    this.tail = next.catch(() => undefined);
    return next;
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
