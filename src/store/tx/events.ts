import { type Kysely, sql } from 'kysely';
import { type MaestroEvent, type NewEvent, newId } from '../../domain/index.js';
import { eventFromRow } from '../rows.js';
import type { Database } from '../schema.js';
import type { EventReads, EventWrites } from '../store.js';
import { chunks } from './shared.js';

/** {@link EventReads} over `db` (the root database or a transaction). */
export function eventReads(db: Kysely<Database>): EventReads {
  return {
    async listEvents(afterSeq, limit) {
      const rows = await db.selectFrom('events').selectAll().where('seq', '>', afterSeq).orderBy('seq').limit(limit).execute();
      return rows.map(eventFromRow);
    },

    async lastSeq() {
      const row = await db.selectFrom('events').select(sql<number | string | null>`max(seq)`.as('seq')).executeTakeFirst();
      return Number(row?.seq ?? 0);
    },

    async firstSeq() {
      const row = await db.selectFrom('events').select(sql<number | string | null>`min(seq)`.as('seq')).executeTakeFirst();
      return row?.seq == null ? null : Number(row.seq);
    },
  };
}

/** An event's row, as `events` and PostgreSQL's `event_outbox` both hold it: `at` in ms since the epoch, `data` as JSON. */
export interface EventRow {
  id: string;
  type: string;
  at: number;
  data: string;
}

/**
 * Appends `events` (at `at`, ms since the epoch) a chunk at a time through `insert`, which writes
 * one chunk's rows and returns the sequence number of the first, or null when the log gives their
 * place later (PostgreSQL's outbox: they are returned with `seq` 0). Rows of one multi-row insert
 * get consecutive sequence numbers in insertion order. Returns the events as appended.
 */
export async function appendInChunks(
  events: NewEvent[],
  at: number,
  insert: (rows: EventRow[]) => Promise<number | null>,
): Promise<MaestroEvent[]> {
  const appended: MaestroEvent[] = [];
  const atIso = new Date(at).toISOString();
  for (const part of chunks(events)) {
    const rows = part.map((e) => ({ id: newId('event'), type: e.type, at, data: JSON.stringify(e.data) }));
    const first = await insert(rows);
    part.forEach((e, i) => {
      appended.push({ seq: first === null ? 0 : first + i, id: (rows[i] as EventRow).id, type: e.type, at: atIso, data: e.data });
    });
  }
  return appended;
}

/**
 * {@link EventWrites} inside the transaction `db`.
 * @param onAppend told of every event appended (the store delivers them after commit)
 */
export function eventWrites(db: Kysely<Database>, onAppend: (events: MaestroEvent[]) => void): EventWrites {
  return {
    async appendEvents(events, at) {
      const appended = await appendInChunks(events, at, async (rows) => {
        const seqs = await db.insertInto('events').values(rows).returning('seq').execute();
        return Math.min(...seqs.map((r) => Number(r.seq)));
      });
      onAppend(appended);
      return appended;
    },

    async pruneEvents(throughSeq) {
      const result = await db.deleteFrom('events').where('seq', '<=', throughSeq).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
