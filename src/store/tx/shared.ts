import { sql } from 'kysely';
import { ConflictError } from '../../domain/index.js';

/**
 * The `active` flag as SQL literals, not bound parameters: the partial indexes on live sessions
 * (`WHERE active = 1`) are usable only when the planner sees the value, and SQLite re-plans a
 * statement on every run when a bound parameter decides whether a partial index applies.
 */
export const ACTIVE = sql.lit(1);
export const INACTIVE = sql.lit(0);

/** `count(*)`, which PostgreSQL hands back as a string. */
export const COUNT = sql<number | string>`count(*)`;

/** Rows per multi-row statement: well under SQLite's 32,766 and PostgreSQL's 65,535 bound parameters. */
export const CHUNK = 1000;

/** `items` in consecutive slices of at most `size`. */
export function chunks<T>(items: T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Whether `err` is a unique/primary-key violation on SQLite or PostgreSQL. */
function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === '23505';
}

/**
 * Runs `insert` of the `what` row `id`.
 * @throws ConflictError when the id exists already
 */
export async function insertUnique(what: string, id: string, insert: () => Promise<unknown>): Promise<void> {
  try {
    await insert();
  } catch (err) {
    if (isUniqueViolation(err)) throw new ConflictError(`${what} ${id} already exists`, { entity: what, id });
    throw err;
  }
}

/** `items` grouped by `key`, each group's values in the order of `items`. */
export function groupBy<T, V>(items: T[], key: (item: T) => string, value: (item: T) => V): Map<string, V[]> {
  const map = new Map<string, V[]>();
  for (const item of items) {
    const k = key(item);
    const list = map.get(k);
    if (list) list.push(value(item));
    else map.set(k, [value(item)]);
  }
  return map;
}
