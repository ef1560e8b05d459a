/**
 * Sweep benchmark (issue: lifecycle policies). With 1,000,000 stored sessions it times a sweep
 * with nothing to do, then a sweep with 10,000 idle sessions to time out and 10,000 ended
 * sessions to purge (each linked to a task, so the full cascade runs), and prints the ratios.
 * Targets on a 2-core machine: nothing to do ≤ 5 ms; 10k expired ≤ 100 ms.
 *
 * In the same run, on a copy of the same database, it times the SQL floor of both passes: the
 * statements any implementation on this schema must run (select what is due, rewrite or delete
 * those rows with their links and task-timeline entries, one event, one durable commit) with raw
 * better-sqlite3, warmed the same way. Maestro's time over the floor is its own.
 *
 *   npm run bench -- sweep            (SESSIONS=200000 for a quicker run)
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import SqliteDatabase from 'better-sqlite3';
import pino from 'pino';
import { ManualClock } from '../src/core/clock.js';
import { SessionService } from '../src/core/sessions/sessions.js';
import { DEFAULT_CONFIGURATION, EMPTY_STATISTICS } from '../src/domain/index.js';
import { GitCli } from '../src/runtime/git.js';
import { openSqliteStore } from '../src/store/index.js';
import { stubRuntime } from '../test/helpers.js';

const TOTAL = Number(process.env.SESSIONS ?? 1_000_000);
const EXPIRED = Number(process.env.EXPIRED ?? 10_000);
const TIMEOUT_SECS = 3600;
const RETENTION_SECS = 7 * 86_400;
const T0 = Date.parse('2026-06-01T00:00:00Z');
const STEP_MS = 700_000; // the clock moves this much between the empty sweep and the full one

const dir = mkdtempSync(join(tmpdir(), 'maestro-bench-sweep-'));
const path = join(dir, 'maestro.db');
try {
  // Schema through the real store (migrations), rows through raw SQLite for a fast set-up.
  await (await openSqliteStore(path)).close();
  const raw = new SqliteDatabase(path);
  raw.pragma('journal_mode = WAL');
  raw
    .prepare(
      `INSERT INTO projects (id, name, repo_path, status, priority, created_at, updated_at) VALUES ('proj_bench', 'bench', '/tmp', 'running', 0, ?, ?)`,
    )
    .run(T0, T0);
  raw
    .prepare(
      `INSERT INTO tasks (id, project_id, title, description, status, created_at, updated_at) VALUES ('task_bench', 'proj_bench', 't', '', 'todo', ?, ?)`,
    )
    .run(T0, T0);
  const insert =
    raw.prepare(`INSERT INTO sessions (id, project_id, name, feature_request, status, active, phase, branch, git_context, prd_reference,
    statistics, configuration, runtime_kind, host, tmux_session, pid, exit_code, output, created_at, updated_at, last_activity_at,
    message_count, completed_at, end_reason, version) VALUES (?, 'proj_bench', ?, '', ?, ?, NULL, 'main', ?, NULL, ?, ?, 'none', NULL, NULL, NULL, NULL, '[]', ?, ?, ?, 0, ?, ?, 1)`);
  const link = raw.prepare(`INSERT INTO task_sessions (task_id, session_id, created_at) VALUES ('task_bench', ?, ?)`);
  const git = JSON.stringify({ branch: 'main', commit: 'a'.repeat(40), repoRoot: '/tmp', isWorktree: false, worktreeName: null });
  const stats = JSON.stringify(EMPTY_STATISTICS);
  const conf = JSON.stringify(DEFAULT_CONFIGURATION);
  const setupStarted = performance.now();
  raw.transaction(() => {
    for (let i = 0; i < TOTAL; i++) {
      const id = `sess_b${String(i).padStart(8, '0')}`;
      const kind = i < EXPIRED ? 'idle' : i < 2 * EXPIRED ? 'purge' : i < 3 * EXPIRED ? 'live' : 'ended';
      const created = T0 - 30 * 86_400_000 + i;
      if (kind === 'idle')
        insert.run(
          id,
          id,
          'implementing',
          1,
          git,
          stats,
          conf,
          created,
          created,
          T0 - (TIMEOUT_SECS * 1000 - STEP_MS / 2),
          null,
          null,
        );
      else if (kind === 'live') insert.run(id, id, 'implementing', 1, git, stats, conf, created, created, T0, null, null);
      else if (kind === 'purge')
        insert.run(
          id,
          id,
          'completed',
          0,
          git,
          stats,
          conf,
          created,
          created,
          created,
          T0 - (RETENTION_SECS * 1000 - STEP_MS / 2),
          'completed',
        );
      else insert.run(id, id, 'completed', 0, git, stats, conf, created, created, created, T0 - 86_400_000, 'completed');
      if (kind === 'idle' || kind === 'purge') link.run(id, created);
    }
  })();
  raw.close();
  console.log(`set-up: ${TOTAL.toLocaleString()} sessions in ${((performance.now() - setupStarted) / 1000).toFixed(1)} s`);
  const floorPath = join(dir, 'floor.db');
  copyFileSync(path, floorPath);

  const store = await openSqliteStore(path);
  const clock = new ManualClock(T0);
  // Sweeps never start or reach a runtime here.
  const noRuntime = stubRuntime('bench', {
    start: async () => {
      throw new Error('no runtime in this benchmark');
    },
  });
  const sessions = new SessionService(
    {
      store,
      clock,
      log: pino({ level: 'silent' }),
      runtime: noRuntime,
      git: new GitCli(),
    },
    {
      maxSessions: 1_000_000_000,
      maxSessionsPerProject: 0,
      sessionTimeoutSecs: TIMEOUT_SECS,
      retentionSecs: RETENTION_SECS,
      publicUrl: 'http://127.0.0.1:0',
    },
  );
  const time = async (fn: () => Promise<unknown>) => {
    const started = performance.now();
    const result = await fn();
    return { ms: performance.now() - started, result };
  };
  const sweep = async () => ({
    timeout: await time(() => sessions.expiry.expireInactive()),
    purge: await time(() => sessions.expiry.purgeEnded()),
  });

  // Warm the statements and the page cache, then take the best of five empty sweeps.
  await sweep();
  const empties: number[] = [];
  for (let i = 0; i < 5; i++) {
    const s = await sweep();
    empties.push(s.timeout.ms + s.purge.ms);
  }
  const empty = Math.min(...empties);
  clock.advance(STEP_MS);
  const full = await sweep();
  const timedOut = (full.timeout.result as { count: number }).count;
  const purged = (full.purge.result as { count: number }).count;
  const fullMs = full.timeout.ms + full.purge.ms;
  await store.close();

  const floor = sqlFloor(floorPath, T0 + STEP_MS);
  const row = (name: string, ms: number, target: number) =>
    `${name.padEnd(44)} ${ms.toFixed(2).padStart(9)} ms   ×${(ms / empty).toFixed(1).padStart(7)}   target ≤ ${target} ms ${ms <= target ? 'ok' : 'MISSED'}`;
  console.log(`sweep over ${TOTAL.toLocaleString()} stored sessions (SQLite, WAL, synchronous=FULL)`);
  console.log(row('nothing to do (baseline, best of 5)', empty, 5));
  console.log(row(`time out ${timedOut.toLocaleString()} idle`, full.timeout.ms, 100));
  console.log(row(`purge ${purged.toLocaleString()} ended, with cascade`, full.purge.ms, 100));
  console.log(row('whole sweep', fullMs, 200));
  console.log(
    `SQL floor, same data, raw better-sqlite3: time out ${floor.timeoutMs.toFixed(2)} ms (Maestro ×${(full.timeout.ms / floor.timeoutMs).toFixed(2)}), purge ${floor.purgeMs.toFixed(2)} ms (Maestro ×${(full.purge.ms / floor.purgeMs).toFixed(2)})`,
  );
  console.log(
    `  of which the durable COMMIT alone: time out ${floor.timeoutCommitMs.toFixed(2)} ms, purge ${floor.purgeCommitMs.toFixed(2)} ms`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}

/**
 * Times the bare SQL of both passes at `nowMs` on the database at `file`: what any implementation
 * on this schema must run to end the idle sessions and to purge the expired ones durably. Warmed
 * like Maestro's store: the same due-queries, empty, before the clock moves.
 */
function sqlFloor(
  file: string,
  nowMs: number,
): { timeoutMs: number; purgeMs: number; timeoutCommitMs: number; purgeCommitMs: number } {
  const db = new SqliteDatabase(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  const due = db.prepare('SELECT id FROM sessions WHERE active = 1 AND last_activity_at < ? ORDER BY last_activity_at LIMIT ?');
  const ended = db.prepare(
    'SELECT id FROM sessions WHERE completed_at IS NOT NULL AND completed_at <= ? ORDER BY completed_at LIMIT ?',
  );
  const ids = 'SELECT value FROM json_each(?)';
  const end = db.prepare(
    `UPDATE sessions SET status = 'failed', end_reason = 'timed_out', active = 0, completed_at = ?, updated_at = ?, version = version + 1 WHERE id IN (${ids})`,
  );
  const timeline = db.prepare(
    `INSERT INTO task_timeline (id, task_id, type, at, session_id, data)
     SELECT 'evt_' || upper(hex(randomblob(13))), task_id, 'session_ended', ?, session_id, ? FROM task_sessions WHERE session_id IN (${ids})`,
  );
  const unlink = db.prepare(`DELETE FROM task_sessions WHERE session_id IN (${ids})`);
  const remove = db.prepare(`DELETE FROM sessions WHERE id IN (${ids})`);
  const event = db.prepare(`INSERT INTO events (id, type, at, data) VALUES (?, ?, ?, ?)`);
  const timeoutCutoff = (at: number) => at - TIMEOUT_SECS * 1000;
  const retentionCutoff = (at: number) => at - RETENTION_SECS * 1000;
  for (let i = 0; i < 6; i++) {
    due.all(timeoutCutoff(T0), EXPIRED);
    ended.all(retentionCutoff(T0), EXPIRED);
  }
  const begin = db.prepare('BEGIN IMMEDIATE');
  const commit = db.prepare('COMMIT');
  const commits: number[] = [];
  const timed = (fn: () => void) => {
    const started = performance.now();
    begin.run();
    fn();
    const committing = performance.now();
    commit.run();
    const done = performance.now();
    commits.push(done - committing);
    return done - started;
  };
  const timeoutMs = timed(() => {
    const list = JSON.stringify((due.all(timeoutCutoff(nowMs), EXPIRED) as { id: string }[]).map((r) => r.id));
    end.run(nowMs, nowMs, list);
    timeline.run(nowMs, '{"reason":"timed_out"}', list);
    event.run('evt_floor_1', 'sessions:ended', nowMs, list);
  });
  const purgeMs = timed(() => {
    const list = JSON.stringify((ended.all(retentionCutoff(nowMs), EXPIRED) as { id: string }[]).map((r) => r.id));
    timeline.run(nowMs, '{"reason":"purged"}', list);
    unlink.run(list);
    remove.run(list);
    event.run('evt_floor_2', 'sessions:purged', nowMs, list);
  });
  db.close();
  return { timeoutMs, purgeMs, timeoutCommitMs: commits[0] as number, purgeCommitMs: commits[1] as number };
}
