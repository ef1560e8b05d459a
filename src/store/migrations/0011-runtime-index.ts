import type { Kysely } from 'kysely';

/**
 * The reconciler's listing of this node's live runtimes (`listActiveRuntimes`, once a second) by
 * host: without it SQLite walked every session in creation order — with 110,000 stored, about
 * 100 ms of the event loop each second (found by the lists benchmark's latency tail).
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('sessions_host_idx').on('sessions').columns(['host', 'active']).execute();
}
