import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The leader lease's fencing token of the work running now, carried through every `await` of it:
 * the leader election runs its duties inside {@link withLease}, and the transaction queue checks
 * the token of each transaction started there ({@link currentLease}) before its writes. A context
 * rather than a parameter, so the sweeper, the scheduler and everything they call stay unaware of
 * leadership — and cannot forget to pass it on.
 */
const lease = new AsyncLocalStorage<number>();

/** Runs `fn` (and everything it starts) as leader-only work fenced by `token`. */
export function withLease<T>(token: number, fn: () => T): T {
  return lease.run(token, fn);
}

/** The fencing token of the work running now, or undefined outside leader-only work. */
export function currentLease(): number | undefined {
  return lease.getStore();
}

/** Runs `fn` outside any leader-only work (event listeners must not inherit a writer's token). */
export function withoutLease<T>(fn: () => T): T {
  return lease.exit(fn);
}
