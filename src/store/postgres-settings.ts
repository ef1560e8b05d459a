import type pg from 'pg';

/**
 * How long a statement waits for a lock before it fails, in milliseconds: a node frozen while
 * holding one (a SIGSTOP, a partition) delays the others by this much at most
 * (docs/design.md §Nodes).
 */
export const LOCK_TIMEOUT_MS = 2000;
/**
 * A connection that stays inside an open transaction without a statement this long is closed by
 * the server, in milliseconds, freeing what it locked: 5 s, or half the leader lease when that is
 * shorter, so a leader frozen in the middle of a fenced write never delays its successor's
 * takeover past the lease.
 */
export function idleInTransactionMs(leaderLeaseMs: number): number {
  return Math.max(1, Math.min(5000, Math.floor(leaderLeaseMs / 2)));
}
/** Longest statement, in milliseconds (a sweep's batch of 10,000 takes well under a second). */
export const STATEMENT_TIMEOUT_MS = 30_000;

/**
 * Set on every connection when it opens: the timeouts above, and TCP keepalives on the server's
 * side (idle 10 s, then a probe every 5 s, 3 unanswered: gone), so a dead node's connection, and
 * every lock it held, is dropped within about 25 s instead of the kernel's two hours.
 * @param leaderLeaseMs the leader lease's length, in milliseconds
 */
export function sessionSettings(leaderLeaseMs: number): string {
  return [
    `set lock_timeout = ${LOCK_TIMEOUT_MS}`,
    `set idle_in_transaction_session_timeout = ${idleInTransactionMs(leaderLeaseMs)}`,
    `set statement_timeout = ${STATEMENT_TIMEOUT_MS}`,
    'set tcp_keepalives_idle = 10',
    'set tcp_keepalives_interval = 5',
    'set tcp_keepalives_count = 3',
  ].join('; ');
}

/** Client options of every connection: keepalives on this side too, and a bounded connect. */
export const CLIENT_OPTIONS = {
  keepAlive: true,
  keepAliveInitialDelayMillis: 10_000,
  connectionTimeoutMillis: 10_000,
} satisfies pg.ClientConfig;

/** Applies {@link sessionSettings} to each connection `pool` opens, before it runs anything else. */
export function configurePool(pool: pg.Pool, settings: string): void {
  // Queued on the new client ahead of whatever it was opened for.
  pool.on('connect', (client) => void client.query(settings).catch(() => undefined));
  // An idle connection the server closed (idling in a transaction past the timeout while this
  // process was frozen, a restart): the pool drops it and opens another. Without a listener the
  // pool's 'error' would kill the process.
  pool.on('error', () => undefined);
}
