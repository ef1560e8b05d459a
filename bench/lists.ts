/**
 * Lists benchmark (issue #24.5). A SQLite file holds 10,000 live and 100,000 ended sessions (a
 * third linked to a task); over real sockets, autocannon asks `maestro serve` for the newest 100
 * and 1,000 as summaries with the total, and, in the same run, the baseline: a bare Fastify with
 * raw better-sqlite3 answering the same page (`fixtures/list-floor.ts`). Printed: p50/p99 latency of
 * each, Maestro's p99 against the baseline's (target ≤ 2×), and the bytes per session of a summary
 * (target ≤ 350) beside a full row with its output (what every list carried before).
 *
 *   npm run bench -- lists          (DURATION=5 seconds per measurement for a quicker run)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { DEFAULT_CONFIGURATION, EMPTY_GIT_CONTEXT, EMPTY_STATISTICS } from '../src/domain/index.js';
import { openStore } from '../src/store/index.js';
import { type Served, serveListFloor, serveMaestro } from './fixtures/servers.js';

const DURATION = Number(process.env.DURATION ?? 10);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 4);
const LIVE = Number(process.env.LIVE ?? 10_000);
const ENDED = Number(process.env.ENDED ?? 100_000);
const dir = mkdtempSync(join(tmpdir(), 'maestro-bench-lists-'));
const file = join(dir, 'lists.db');

/** Fills `file` (migrated by Maestro's own store) with the sessions, in one transaction of raw inserts. */
async function fill(): Promise<void> {
  await (await openStore(file)).close();
  const db = new Database(file);
  const now = Date.now();
  // 20 kept lines an ended session (up to 200 are kept): enough to show what full rows cost, small enough to write quickly.
  const output = JSON.stringify(Array.from({ length: 20 }, (_, i) => `line ${i} of what the agent printed`));
  db.prepare(
    `INSERT INTO projects (id, name, description, repo_path, status, priority, agent_command, merge_strategy, auto_task_status,
       scheduled, status_reason, queued_at, started_at, completed_at, created_at, updated_at)
     VALUES ('proj_bench', 'bench', '', '/tmp', 'running', 0, NULL, 'merge_commit', 1, 0, NULL, NULL, ?, NULL, ?, ?)`,
  ).run(now, now, now);
  db.prepare(
    `INSERT INTO tasks (id, project_id, parent_id, title, description, status, status_by, priority, created_at, updated_at, started_at, completed_at)
     VALUES ('task_bench', 'proj_bench', NULL, 'bench', '', 'in_progress', NULL, 0, ?, ?, NULL, NULL)`,
  ).run(now, now);
  const insert = db.prepare(
    `INSERT INTO sessions (id, project_id, parent_session_id, role, name, feature_request, status, active, phase, branch,
       git_context, prd_reference, statistics, configuration, runtime_kind, host, tmux_session, pid, exit_code, output,
       created_at, updated_at, last_activity_at, message_count, completed_at, end_reason, end_note, agent_state,
       agent_state_since, waiting_for, activity_detail, launch, version)
     VALUES (?, 'proj_bench', NULL, 'worker', ?, '', ?, ?, NULL, NULL, ?, NULL, ?, ?, 'none', NULL, NULL, NULL, ?, ?,
       ?, ?, ?, 0, ?, ?, NULL, ?, ?, NULL, NULL, NULL, 1)`,
  );
  const link = db.prepare("INSERT INTO task_sessions (task_id, session_id, created_at) VALUES ('task_bench', ?, ?)");
  const stats = JSON.stringify({
    ...EMPTY_STATISTICS,
    model: 'claude-sonnet-4-5',
    costUsd: 0.12,
    tokens: { ...EMPTY_STATISTICS.tokens, input: 1200, output: 340 },
  });
  const git = JSON.stringify(EMPTY_GIT_CONTEXT);
  const configuration = JSON.stringify(DEFAULT_CONFIGURATION);
  db.transaction(() => {
    for (let i = 0; i < ENDED + LIVE; i++) {
      const live = i >= ENDED;
      // Ids sort by creation, as ULIDs do; live sessions are the newest, as they are in use.
      const id = `sess_${String(i).padStart(26, '0')}`;
      const at = now - (ENDED + LIVE - i) * 1000;
      insert.run(
        id,
        i % 2 === 0 ? id : `agent ${i}`,
        live ? 'implementing' : 'completed',
        live ? 1 : 0,
        git,
        stats,
        configuration,
        live ? null : 0,
        live ? '[]' : output,
        at,
        at,
        at,
        live ? null : at + 500,
        live ? null : 'terminal_closed',
        'working',
        at,
      );
      if (i % 3 === 0) link.run(id, at);
    }
  })();
  db.close();
}

async function measure(url: string): Promise<autocannon.Result> {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: DURATION });
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`${url}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  return result;
}

/** Bytes of one answer, per session in it. */
async function bytesPerSession(url: string): Promise<number> {
  const body = await (await fetch(url)).text();
  return body.length / (JSON.parse(body) as { sessions: unknown[] }).sessions.length;
}

try {
  const started = Date.now();
  await fill();
  console.log(`${LIVE.toLocaleString()} live and ${ENDED.toLocaleString()} ended sessions written in ${Date.now() - started} ms`);
  const floor = await serveListFloor(file);
  const maestro = await serveMaestro(file, [
    '--max-sessions',
    '1000000',
    '--session-timeout',
    '31536000',
    '--retention',
    '31536000',
    '--tmux-socket',
    `maestro-bench-${process.pid}`,
  ]);
  try {
    console.log(`GET /api/sessions over real sockets, ${CONNECTIONS} connections, ${DURATION} s each (SQLite)`);
    for (const limit of [100, 1000]) {
      const at = (s: Served) => `${s.url}/api/sessions?limit=${limit}`;
      await measure(at(floor)); // warm-up of both
      await measure(at(maestro));
      const base = await measure(at(floor));
      const ours = await measure(at(maestro));
      const line = (name: string, r: autocannon.Result) =>
        `  ${name.padEnd(40)} p50 ${String(r.latency.p50).padStart(4)} ms   p99 ${String(r.latency.p99).padStart(4)} ms   ${r.requests.average.toFixed(0).padStart(6)} req/s`;
      const ratio = ours.latency.p99 / Math.max(base.latency.p99, 1);
      console.log(`limit ${limit}`);
      console.log(line('bare Fastify + raw SQLite (baseline)', base));
      console.log(line('maestro', ours));
      console.log(`  p99 ${ratio.toFixed(2)}× the baseline   target ≤ 2× ${ratio <= 2 ? 'ok' : 'MISSED'}`);
    }
    const summary = await bytesPerSession(`${maestro.url}/api/sessions?limit=1000`);
    const full = await bytesPerSession(`${maestro.url}/api/sessions?limit=1000&view=full`);
    const withOutput = await bytesPerSession(`${maestro.url}/api/sessions?limit=1000&view=full&include=output&active=false`);
    console.log(
      `bytes per session: summary ${summary.toFixed(0)} (target ≤ 350 ${summary <= 350 ? 'ok' : 'MISSED'}), full row ${full.toFixed(0)}, full row with its kept output ${withOutput.toFixed(0)}`,
    );
  } finally {
    await maestro.stop();
    await floor.stop();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
