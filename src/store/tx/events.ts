import { type Kysely, sql } from 'kysely';
import { type MaestroEvent, newId } from '../../domain/index.js';
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

/**
 * {@link EventWrites} inside the transaction `db`.
 * @param onAppend told of every event appended (the store delivers them after commit)
 */
export function eventWrites(db: Kysely<Database>, onAppend: (events: MaestroEvent[]) => void): EventWrites {
  return {
    async appendEvents(events, at) {
      const appended: MaestroEvent[] = [];
      const atIso = new Date(at).toISOString();
      for (const part of chunks(events)) {
        const rows = part.map((e) => ({ id: newId('event'), type: e.type, at, data: JSON.stringify(e.data) }));
        const seqs = await db.insertInto('events').values(rows).returning('seq').execute();
        // Rows of one multi-row insert get consecutive sequence numbers in insertion order.
        const first = Math.min(...seqs.map((r) => Number(r.seq)));
        part.forEach((e, i) => {
          appended.push({ seq: first + i, id: (rows[i] as { id: string }).id, type: e.type, at: atIso, data: e.data });
        });
      }
      onAppend(appended);
      return appended;
    },

    async pruneEvents(throughSeq) {
      const result = await db.deleteFrom('events').where('seq', '<=', throughSeq).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
