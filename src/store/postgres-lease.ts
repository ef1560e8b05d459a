import { performance } from 'node:perf_hooks';
import { type Kysely, sql } from 'kysely';
import type { Database } from './schema.js';
import type { Leadership, Lease } from './store.js';

/**
 * Leadership as a lease row (`leases`, name `leader`; docs/design.md §Leader election): a node
 * takes it when it is free or expired, renews it while it holds it, and every change of holder
 * raises its fencing token. Expiry is counted by the database's clock, so nodes' clocks need not
 * agree; the holder counts its own validity on its monotonic clock from before its request, less
 * a margin, so it stops acting as the leader before anyone else can start.
 *
 * Why not a session-level advisory lock (what this replaced): it lives as long as its TCP
 * connection, so a frozen or partitioned leader kept it for as long as the kernel kept the
 * connection — two hours without keepalives — and nothing fenced its late writes.
 */
export class PgLeaseLeadership implements Leadership {
  /**
   * @param holder this node's name and a per-process id (a restarted node is a new holder)
   * @param leaseMs how long a take or a renewal holds, in milliseconds (`MAESTRO_LEADER_LEASE_SECS`)
   */
  constructor(
    private readonly db: Kysely<Database>,
    private readonly holder: string,
    private readonly leaseMs: number,
  ) {}

  async tryLead(): Promise<Lease | null> {
    const sentAt = performance.now();
    try {
      // One statement: take a free or expired lease (a new token), or renew our own (same token).
      // `excluded.expires_at - leaseMs` is the database's now.
      const { rows } = await sql<{ token: string }>`
        insert into leases (name, holder, token, expires_at)
        values ('leader', ${this.holder}, 1, (extract(epoch from clock_timestamp()) * 1000)::bigint + ${this.leaseMs})
        on conflict (name) do update set
          token = case
            when leases.holder = excluded.holder and leases.expires_at > excluded.expires_at - ${this.leaseMs}
            then leases.token else leases.token + 1 end,
          holder = excluded.holder,
          expires_at = excluded.expires_at
        where leases.holder = excluded.holder or leases.expires_at <= excluded.expires_at - ${this.leaseMs}
        returning token`.execute(this.db);
      const row = rows[0];
      if (!row) return null;
      return { token: Number(row.token), validUntil: sentAt + this.leaseMs - this.margin() };
    } catch {
      return null; // could not check: act as if another node led
    }
  }

  /** Ends our lease now (the token stays: a later holder gets a higher one). */
  async release(): Promise<void> {
    await this.db
      .updateTable('leases')
      .set({ expires_at: 0 })
      .where('name', '=', 'leader')
      .where('holder', '=', this.holder)
      .execute()
      .catch(() => undefined);
  }

  /** Stop this long before the lease ends, in milliseconds: a fifth of it, for clock rates and scheduling. */
  private margin(): number {
    return this.leaseMs / 5;
  }
}
