import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { MaestroError } from '../domain/index.js';

/** Who holds a database file: written by the holder, read by whoever is refused. */
export interface ClaimHolder {
  /** Process id of the holder. */
  pid: number;
  /** Host name of the holder's machine. */
  host: string;
  /** When it claimed the file, ISO 8601. */
  since: string;
}

/** Another process serves the database file (see {@link claimSqliteFile}). */
export class DatabaseInUseError extends MaestroError {
  constructor(path: string, holder: ClaimHolder | undefined) {
    const who = holder ? `pid ${holder.pid} on ${holder.host}, since ${holder.since}` : 'another process';
    super(
      'database_in_use',
      `${path} is already served by ${who}: stop that server, or give this one another --db (a SQLite file serves one server; PostgreSQL serves several)`,
      { path, holder },
    );
  }
}

/** A held claim on a database file. */
export interface SqliteClaim {
  /** Gives the file up; later calls do nothing. */
  release(): void;
}

/**
 * Claims the SQLite database at `path` for this process's server, so a second `maestro serve` on
 * the same file refuses to start. Two servers on one SQLite file would both run the sweeper and
 * the scheduler, and neither would hear of the other's writes (SQLite tells no one; PostgreSQL
 * nodes hear each other through NOTIFY): each one's dashboards would silently miss half the events.
 *
 * The claim is a lock taken through SQLite itself on `<path>-serve.lock`, a one-row database: the
 * holder keeps a write transaction open on it (SQLite's RESERVED lock), which others can still read
 * — the holder's pid, host and start time, for the refusal — but not take. The operating system
 * drops the lock when the process ends in any way, `kill -9` included, so a crash never leaves a
 * stale claim behind.
 * @throws DatabaseInUseError when another process holds the claim
 */
export function claimSqliteFile(path: string, now: Date = new Date()): SqliteClaim {
  const lockPath = `${path}-serve.lock`;
  mkdirSync(dirname(lockPath), { recursive: true });
  // No busy wait: a claim held now is held by a running server.
  const db = new SqliteDatabase(lockPath, { timeout: 0 });
  try {
    db.exec('CREATE TABLE IF NOT EXISTS holder (pid INTEGER NOT NULL, host TEXT NOT NULL, since TEXT NOT NULL)');
    take(db);
    db.prepare('DELETE FROM holder').run();
    db.prepare('INSERT INTO holder (pid, host, since) VALUES (?, ?, ?)').run(process.pid, hostname(), now.toISOString());
    // Publish the holder, then hold the lock again at once. Another process taking it in between
    // finds this one's row replaced by its own and wins; this one then refuses, naming it.
    db.exec('COMMIT');
    take(db);
  } catch (err) {
    const holder = isBusy(err) ? readHolder(db) : undefined;
    db.close();
    throw isBusy(err) ? new DatabaseInUseError(path, holder) : err;
  }
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      db.close(); // rolls the open transaction back, which drops the lock
    },
  };
}

/** Takes the write lock by opening a write transaction. @throws SqliteError SQLITE_BUSY when held */
function take(db: SqliteDatabase.Database): void {
  db.exec('BEGIN IMMEDIATE');
}

function isBusy(err: unknown): boolean {
  return (err as { code?: string }).code === 'SQLITE_BUSY';
}

function readHolder(db: SqliteDatabase.Database): ClaimHolder | undefined {
  try {
    return db.prepare('SELECT pid, host, since FROM holder').get() as ClaimHolder | undefined;
  } catch {
    return undefined; // the holder is between creating the file and writing its row
  }
}
