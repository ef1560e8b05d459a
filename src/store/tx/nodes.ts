import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { NodeReads, NodeWrites } from '../store.js';

/** {@link NodeReads} over `db` (the root database or a transaction). */
export function nodeReads(db: Kysely<Database>): NodeReads {
  return {
    async getMeta(key) {
      const row = await db.selectFrom('meta').select('value').where('key', '=', key).executeTakeFirst();
      return row?.value;
    },

    async instanceId() {
      const row = await db.selectFrom('meta').select('value').where('key', '=', 'instance_id').executeTakeFirstOrThrow();
      return row.value;
    },

    async listNodes() {
      const rows = await db.selectFrom('nodes').selectAll().orderBy('host').execute();
      return rows.map((r) => ({ host: r.host, heartbeatAt: Number(r.heartbeat_at), url: r.url }));
    },
  };
}

/** {@link NodeWrites} inside the transaction `db`. */
export function nodeWrites(db: Kysely<Database>): NodeWrites {
  return {
    async setMeta(key, value) {
      await db
        .insertInto('meta')
        .values({ key, value })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
        .execute();
    },

    async heartbeat(host, nowMs, url) {
      const fields = url === undefined ? { heartbeat_at: nowMs } : { heartbeat_at: nowMs, url };
      await db
        .insertInto('nodes')
        .values({ host, ...fields })
        .onConflict((oc) => oc.column('host').doUpdateSet(fields))
        .execute();
    },
  };
}
