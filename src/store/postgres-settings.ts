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
 * Options of every connection, sent with its start-up message so they hold before its first
 * statement: the timeouts above, and TCP keepalives (a dead server or node is noticed in seconds,
 * not the kernel's two hours), and a bounded connect.
 * @param leaderLeaseMs the leader lease's length, in milliseconds
 */
export function connectionOptions(leaderLeaseMs: number) {
  return {
    lock_timeout: LOCK_TIMEOUT_MS,
    idle_in_transaction_session_timeout: idleInTransactionMs(leaderLeaseMs),
    statement_timeout: STATEMENT_TIMEOUT_MS,
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    connectionTimeoutMillis: 10_000,
  } satisfies pg.ClientConfig;
}

/**
 * A connection the server closed — it idled in a transaction past the timeout while this process
 * was frozen, or the server restarted — must not take the process down. node-postgres emits
 * 'error' on the client when its socket ends with no query running: the pool listens only while a
 * client is idle in it, so a client checked out for a transaction had no listener, and the
 * unhandled 'error' killed the node right after it woke from a freeze. Every client gets one for
 * its whole life; the transaction's next statement fails instead, and the pool drops the client.
 */
export function survivePoolErrors(pool: pg.Pool): void {
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
}
