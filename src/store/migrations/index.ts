import type { Kysely, Migration, MigrationProvider } from 'kysely';
import type { Engine } from '../engine.js';
import * as m0001 from './0001-initial.js';
import * as m0002 from './0002-project-queue.js';
import * as m0003 from './0003-needs-input.js';
import * as m0004 from './0004-nodes.js';
import * as m0005 from './0005-links-by-session.js';
import * as m0006 from './0006-launch.js';
import * as m0007 from './0007-agent-state.js';
import * as m0008 from './0008-node-url.js';
import * as m0009 from './0009-activity-detail.js';
import * as m0010 from './0010-tracker.js';
import * as m0011 from './0011-runtime-index.js';
import * as m0012 from './0012-leases-outbox.js';

// biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists
type EngineMigration = { up(db: Kysely<any>, engine: Engine): Promise<void> };

const MIGRATIONS: Record<string, EngineMigration> = {
  '0001-initial': m0001,
  '0002-project-queue': m0002,
  '0003-needs-input': m0003,
  '0004-nodes': m0004,
  '0005-links-by-session': m0005,
  '0006-launch': m0006,
  '0007-agent-state': m0007,
  '0008-node-url': m0008,
  '0009-activity-detail': m0009,
  '0010-tracker': m0010,
  '0011-runtime-index': m0011,
  '0012-leases-outbox': m0012,
};

/**
 * Every migration, in order, bound to `engine` (the few column types that differ, such as the
 * event sequence, are chosen per engine). Imported statically so they run the same from any
 * working directory.
 */
export function migrationProvider(engine: Engine): MigrationProvider {
  return {
    async getMigrations(): Promise<Record<string, Migration>> {
      return Object.fromEntries(
        Object.entries(MIGRATIONS).map(([name, m]) => [name, { up: (db: Kysely<unknown>) => m.up(db, engine) }]),
      );
    },
  };
}
