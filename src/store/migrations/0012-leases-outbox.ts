import type { Kysely } from 'kysely';
import type { Engine } from '../engine.js';

/**
 * Several nodes that survive each other (docs/design.md §Nodes):
 *
 * - `leases`: time-bounded leadership. One row per lease (`leader`): who holds it, its fencing
 *   token (raised at every change of holder) and when it expires, in ms since the epoch by the
 *   database's clock.
 * - `event_outbox`: events of committed transactions not yet given their place in `events`. A
 *   write transaction appends here without any lock; a short sequencing step moves them into
 *   `events` under a lock of its own (`postgres-events.ts`). SQLite appends to `events` directly
 *   (one writer), so the table stays empty there.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists
export async function up(db: Kysely<any>, engine: Engine): Promise<void> {
  await db.schema
    .createTable('leases')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('holder', 'text', (c) => c.notNull())
    .addColumn('token', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('event_outbox')
    .addColumn('n', engine === 'postgres' ? 'bigserial' : 'integer', (c) =>
      engine === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
    )
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .execute();
}
