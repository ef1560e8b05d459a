import type SqliteDatabase from 'better-sqlite3';
import type { SqliteDatabase as KyselySqliteDatabase, SqliteStatement } from 'kysely';

/** Prepared statements kept, at most; the query builder produces a few dozen distinct texts. */
const LIMIT = 500;

/**
 * The database as Kysely's SQLite driver sees it, with prepared statements reused by SQL text:
 * the driver prepares every query anew, which costs more than running most of them.
 * The oldest statement is dropped past {@link LIMIT} distinct texts (`IN (?, ?, …)` lists vary).
 */
export function withStatementCache(database: SqliteDatabase.Database): KyselySqliteDatabase {
  const cache = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => {
      cache.clear();
      database.close();
    },
    prepare(sql: string): SqliteStatement {
      let statement = cache.get(sql);
      if (!statement) {
        statement = database.prepare(sql);
        cache.set(sql, statement);
        if (cache.size > LIMIT) cache.delete(cache.keys().next().value as string);
      }
      return statement as unknown as SqliteStatement;
    },
  };
}
