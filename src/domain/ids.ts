import { randomFillSync } from 'node:crypto';
import { monotonicFactory } from 'ulid';

/** Entity kinds and their id prefixes (docs/design.md §Wire conventions). */
export const ID_PREFIX = {
  project: 'proj',
  task: 'task',
  session: 'sess',
  event: 'evt',
} as const;
export type IdKind = keyof typeof ID_PREFIX;

/**
 * ulid's default source asks the OS for one random byte per character (16 system calls per id);
 * this one hands out the same cryptographic randomness from a 4 KiB pool refilled when used up.
 */
function pooledRandom(): () => number {
  const pool = new Uint32Array(1024);
  let next = pool.length;
  return () => {
    if (next === pool.length) {
      randomFillSync(pool);
      next = 0;
    }
    return (pool[next++] as number) / 0x1_0000_0000;
  };
}

const nextUlid = monotonicFactory(pooledRandom());

/** Longest id accepted, prefix included. Keeps ids usable as tmux session names and URLs. */
export const MAX_ID_LENGTH = 80;

/**
 * A new id for `kind`: its prefix, `_`, then a ULID (time-sortable, monotonic within a process).
 * @example newId('session') // 'sess_01JD3Z7Q6M8W2X4Y5Z6A7B8C9D'
 */
export function newId(kind: IdKind): string {
  return `${ID_PREFIX[kind]}_${nextUlid()}`;
}

/**
 * The pattern a client-given id of `kind` must match: its prefix, `_`, then 1+ characters of
 * `[A-Za-z0-9_-]` (safe in URLs and as part of a tmux session name), at most {@link MAX_ID_LENGTH} in all.
 */
export function idPattern(kind: IdKind): RegExp {
  return new RegExp(`^${ID_PREFIX[kind]}_[A-Za-z0-9_-]{1,${MAX_ID_LENGTH - ID_PREFIX[kind].length - 1}}$`);
}

/** Whether `value` is a well-formed id of `kind`. */
export function isId(kind: IdKind, value: string): boolean {
  return idPattern(kind).test(value);
}
