import { StorageError } from '../domain/index.js';

/**
 * Names the storage faults people can act on, whichever engine raised them: a full disk (SQLite
 * `SQLITE_FULL`, PostgreSQL `53100 disk_full`) becomes {@link StorageError} `storage_full`, a
 * read-only database (`SQLITE_READONLY*`, PostgreSQL `25006 read_only_sql_transaction`)
 * `storage_read_only`. Anything else is returned as it is.
 */
export function namedStorageError(err: unknown): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return err;
  if (code === 'SQLITE_FULL' || code === '53100') {
    return new StorageError(
      'storage_full',
      'the database is full (no space left on its disk, or its size limit reached): free space and retry; nothing was written',
      { cause: err },
    );
  }
  if (code.startsWith('SQLITE_READONLY') || code === '25006') {
    return new StorageError(
      'storage_read_only',
      'the database is read-only (file, directory or server): make it writable and retry; nothing was written',
      { cause: err },
    );
  }
  return err;
}
