/**
 * Reconcile benchmark (issue: the reconciler). 500 live agents in real tmux sessions on a private
 * socket, each with its stored record: times one reconcile pass (one `list-panes -a` call plus the
 * record reads) against a single `tmux list-sessions` call measured in the same run.
 * Target: a pass ≤ 3× the bare tmux call.
 *
 *   npm run bench -- reconcile        (AGENTS=100 for a quicker run)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { execa } from 'execa';
import pino from 'pino';
import { systemClock } from '../src/core/clock.js';
import { Reconciler } from '../src/core/loops/reconciler.js';
import { newSessionRow } from '../src/core/sessions/session-records.js';
import { SessionService } from '../src/core/sessions/sessions.js';
import { newProject } from '../src/domain/index.js';
import { GitCli } from '../src/runtime/git.js';
import { TmuxSessionManager } from '../src/runtime/tmux.js';
import { openSqliteStore } from '../src/store/index.js';

const AGENTS = Number(process.env.AGENTS ?? 500);
const RUNS = 15;
const socket = `maestro-bench-${process.pid}`;
const dir = mkdtempSync(join(tmpdir(), 'maestro-bench-reconcile-'));
const runtime = new TmuxSessionManager({ socket, owner: 'inst_bench' });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

try {
  const store = await openSqliteStore(join(dir, 'maestro.db'));
  const log = pino({ level: 'silent' });
  const sessions = new SessionService(
    { store, clock: systemClock, log, runtime, git: new GitCli() },
    {
      maxSessions: 100_000,
      maxSessionsPerProject: 0,
      sessionTimeoutSecs: 3600,
      retentionSecs: 604_800,
      publicUrl: 'http://127.0.0.1:0',
    },
  );
  const reconciler = new Reconciler({ store, clock: systemClock, log, runtime, sessions }, 1000);
  const now = Date.now();
  await store.transaction((tx) => tx.insertProject(newProject({ id: 'proj_bench', name: 'bench', repoPath: dir }, now)));
  const started = performance.now();
  for (let i = 0; i < AGENTS; i++) {
    const id = `sess_bench${i}`;
    const { tmuxSession, pid } = await runtime.start({ sessionId: id, cwd: dir, command: ['sleep', '3600'], env: {} });
    const row = newSessionRow(
      { id, projectId: 'proj_bench', featureRequest: '', phase: null, prdReference: null, taskIds: [] },
      now,
      {
        runtime: { kind: 'tmux', host: runtime.host, tmuxSession, pid, exitCode: null },
      },
    );
    await store.transaction((tx) => tx.insertSession(row));
  }
  console.log(`set-up: ${AGENTS} tmux sessions in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  const bare: number[] = [];
  const passes: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    let t = performance.now();
    await execa('tmux', ['-L', socket, 'list-sessions']);
    bare.push(performance.now() - t);
    t = performance.now();
    const report = await reconciler.reconcile();
    passes.push(performance.now() - t);
    if (!report.checked || report.ended.length > 0 || report.orphansKilled.length > 0)
      throw new Error(`unexpected verdicts: ${JSON.stringify(report)}`);
  }
  await store.close();
  const b = median(bare);
  const p = median(passes);
  console.log(`reconcile pass over ${AGENTS} live tmux sessions (median of ${RUNS})`);
  console.log(`bare \`tmux list-sessions\` (baseline)   ${b.toFixed(2).padStart(8)} ms   ×1.0`);
  console.log(
    `one reconcile pass                     ${p.toFixed(2).padStart(8)} ms   ×${(p / b).toFixed(2)}   target ≤ ×3 ${p / b <= 3 ? 'ok' : 'MISSED'}`,
  );
} finally {
  await runtime.killServer();
  rmSync(join(tmpdir(), `tmux-${process.getuid?.() ?? 0}`, socket), { force: true });
  rmSync(dir, { recursive: true, force: true });
}
