import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { claimDatabase, claimSqliteFile, DatabaseInUseError } from '../src/store/index.js';
import { BIN, Cleanup, startServer, tempDir, tmuxSocket } from './helpers.js';

describe('one server per SQLite file', () => {
  let cleanup = new Cleanup();
  afterEach(async () => {
    await cleanup.run();
    cleanup = new Cleanup();
  });

  it('refuses a second claim on the file, naming the holder, until the first is released', () => {
    const db = join(tempDir(cleanup), 'maestro.db');
    const since = new Date('2026-11-30T10:00:00.000Z');
    const first = claimSqliteFile(db, since);
    cleanup.add(() => first.release());
    let refusal: unknown;
    try {
      claimSqliteFile(db);
    } catch (err) {
      refusal = err;
    }
    expect(refusal).toBeInstanceOf(DatabaseInUseError);
    expect(refusal).toMatchObject({
      code: 'database_in_use',
      details: { path: db, holder: { pid: process.pid, host: hostname(), since: since.toISOString() } },
    });
    expect((refusal as Error).message).toContain(`already served by pid ${process.pid}`);

    first.release();
    first.release(); // idempotent
    const second = claimSqliteFile(db);
    cleanup.add(() => second.release());
    expect(() => claimSqliteFile(db)).toThrow(DatabaseInUseError);
  });

  it('claims nothing for PostgreSQL (several nodes share it) or a private in-memory database', () => {
    for (const db of ['postgres://u:p@127.0.0.1:5432/maestro', ':memory:']) {
      const a = claimDatabase(db);
      // A second claim while the first is held is not refused (a SQLite file's would be)…
      let b: ReturnType<typeof claimDatabase> | undefined;
      expect(() => {
        b = claimDatabase(db);
      }).not.toThrow();
      // …and no lock file was made for it (`<db>-serve.lock`, relative to the working directory).
      expect(existsSync(`${db}-serve.lock`)).toBe(false);
      expect(existsSync(db.split('/')[0] as string)).toBe(false);
      a.release();
      b?.release();
    }
  });

  it('a second `maestro serve` on the same file exits with the reason; after the first is killed (-9), a new one serves', async () => {
    const db = join(tempDir(cleanup), 'maestro.db');
    const socket = tmuxSocket(cleanup);
    const first = await startServer(cleanup, ['--port', '0', '--db', db, '--tmux-socket', socket]);

    const refused = await execa(process.execPath, [BIN, 'serve', '--port', '0', '--db', db, '--tmux-socket', socket], {
      reject: false,
      timeout: 20_000,
    });
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stderr).toContain(`${db} is already served by pid ${first.child.pid} on ${hostname()}`);
    expect((await fetch(`${first.url}/api/health`)).status).toBe(200);

    // The lock belongs to the process: the operating system drops it however the process ends.
    first.child.kill('SIGKILL');
    await first.exited;
    const next = await startServer(cleanup, ['--port', '0', '--db', db, '--tmux-socket', socket]);
    expect((await fetch(`${next.url}/api/health`)).status).toBe(200);
  });
});
