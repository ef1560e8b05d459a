import type { Kysely } from 'kysely';
import type { MaestroEvent } from '../../domain/index.js';
import type { Database } from '../schema.js';
import type { StoreReads, StoreTx } from '../store.js';
import { eventReads, eventWrites } from './events.js';
import { nodeReads, nodeWrites } from './nodes.js';
import { projectReads, projectWrites } from './projects.js';
import { sessionReads, sessionWrites } from './sessions.js';
import { taskReads, taskWrites } from './tasks.js';

// Why objects assembled from per-area parts rather than classes: each area (one file here) returns
// its reads and its writes as plain objects typed against its slice of the contract (`ProjectReads`,
// `ProjectWrites`, …), so the compiler checks every part on its own and the whole by spreading.
// The store gets the reads over the root database and nothing else: writes are not merely hidden
// by a type outside a transaction, they do not exist there. An engine replaces a method by
// spreading its own after these (`sqlite-tx.ts`, `postgres-events.ts`) — no inheritance chain, no
// mixins, no one-line forwarders.

/** Every read, engine-neutral SQL over `db` (the root database or a transaction). */
export function kyselyReads(db: Kysely<Database>): StoreReads {
  return { ...projectReads(db), ...taskReads(db), ...sessionReads(db), ...eventReads(db), ...nodeReads(db) };
}

/**
 * The handle of one transaction: every read and every write, engine-neutral SQL over `trx`.
 * @param onAppend told of every event appended through it (the store delivers them after commit)
 */
export function kyselyTx(trx: Kysely<Database>, onAppend: (events: MaestroEvent[]) => void): StoreTx {
  return {
    ...kyselyReads(trx),
    ...projectWrites(trx),
    ...taskWrites(trx),
    ...sessionWrites(trx),
    ...eventWrites(trx, onAppend),
    ...nodeWrites(trx),
    // One writer (the database claim keeps a second server off a SQLite file): nothing to coordinate.
    // PostgreSQL replaces both (`postgres-events.ts`).
    lockScope: async () => undefined,
    requireLease: async () => undefined,
  };
}
