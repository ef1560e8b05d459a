/**
 * Agent-state benchmark (issue #18): the watcher that tells what each agent is doing, measured
 * with real tmux on a private socket (`-L maestro-bench-<pid>`), through `createMaestro` as
 * `maestro serve` composes it. Times are when `session:agent_state` / `session:ended` reach the
 * store's event listeners (`store.onEvents`: no polling), from just before the keys that make the
 * pane print are sent (a `tmux send-keys` call, whose own time is printed beside).
 *
 * 1. Detection latency, `--trials N` each (default 200), `--concurrency C` at a time (default 20):
 *    (a) output → `working`: a silent generic session is sent a line;
 *    (b) a permission prompt → `waiting` {reason permission, 3 choices}: a fake Claude Code prints
 *        its recorded prompt (test/fixtures/screens/claude/permission.txt) once sent a line;
 *    (c) exit → `session:ended`: a session exits 3 once sent a line, the reconciler's interval set
 *        to 60 s so only the pane-died notice can end it soon; then 20 such exits one at a time
 *        (no other child of tmux exiting near them); then, for comparison, exits found by the
 *        reconciler's interval alone (default 1 s, exit notices silenced), 60 trials.
 *    Targets: working p99 ≤ 500 ms, waiting p99 ≤ 1.5 s, ended p99 ≤ 500 ms. The sessions of a
 *    batch are sent their line over one second, so a few trials overlap.
 * 2. Cost, `--sessions S` live sessions (default 200) each printing 10 lines/s for `--seconds D`
 *    (default 60): this process's CPU (its own and its reaped children's: the tmux clients) over
 *    wall time, in % of one core, while Maestro watches them (default configuration); then, same
 *    sessions, same run, the naive watcher as baseline: one `tmux capture-pane -p` per session per
 *    second. The printers, the tmux server and its pipe-pane `cat`s are not this process: shown
 *    apart, for information. Target: Maestro ≤ 10 % of one core.
 * 3. Accuracy: every recorded screen of test/fixtures/screens/<agent>/<state>.txt printed by a fake
 *    agent in real tmux and read by the watcher: permission → waiting/permission, question →
 *    waiting/question, idle → waiting/idle_prompt, working → working; exited (a shell prompt
 *    after the agent) → working, as any screen that says nothing known right after output.
 *
 *   npm run bench -- agent-state
 *   npm run bench -- agent-state --trials 40 --sessions 50 --seconds 10     (a quicker run)
 *   (or TRIALS=40 SESSIONS=50 DURATION_SECS=10 npm run bench -- agent-state)
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as pause } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { execa } from 'execa';
import pino from 'pino';
import { AGENT_SCREENS, readScreen } from '../src/core/agents/index.js';
import { DEFAULTS, ENV_VARS, type MaestroConfig, transcriptDir } from '../src/core/config.js';
import { type Runtime, SILENT_NOTICES } from '../src/core/runtime.js';
import type { AgentKind, MaestroEvent, Session, WaitingFor } from '../src/domain/index.js';
import { createMaestro, type Maestro } from '../src/maestro.js';
import { TmuxSessionManager } from '../src/runtime/tmux.js';

const { values: flags } = parseArgs({
  options: {
    trials: { type: 'string' },
    concurrency: { type: 'string' },
    sessions: { type: 'string' },
    seconds: { type: 'string' },
  },
});
const TRIALS = Number(flags.trials ?? process.env.TRIALS ?? 200);
const CONCURRENCY = Number(flags.concurrency ?? process.env.CONCURRENCY ?? 20);
const SESSIONS = Number(flags.sessions ?? process.env.SESSIONS ?? 200);
const SECONDS = Number(flags.seconds ?? process.env.DURATION_SECS ?? 60);
/** A trial that hears nothing this long is a miss, in milliseconds. */
const TRIAL_TIMEOUT_MS = 10_000;
/** Exits timed one at a time (no other exit of a tmux child near them), and their time limit. */
const LONE_EXITS = Math.min(20, TRIALS);
const LONE_TIMEOUT_MS = 2000;
/** Printers run this long before the cost window opens (every session `working` first), in milliseconds. */
const WARM_UP_MS = 2000;
/** The trials of a batch send their line over this long, in milliseconds. */
const SPREAD_MS = 1000;
/** The naive watcher's captures in flight at most (unbounded, a backlog exhausts file descriptors). */
const NAIVE_IN_FLIGHT = 16;
/** Exits timed with the reconciler's interval alone: the comparison needs fewer. */
const POLLED_EXITS = Math.min(60, TRIALS);
/** Spawns in flight at once while setting up. */
const SPAWN_PARALLEL = 8;

const FIXTURES = fileURLToPath(new URL('../test/fixtures/screens/', import.meta.url));
const PROJECT = 'proj_bench';
const socket = `maestro-bench-${process.pid}`;
const root = mkdtempSync(join(tmpdir(), 'maestro-bench-agent-state-'));
const tmux = (...args: string[]) => execa('tmux', ['-L', socket, ...args], { reject: false, stdin: 'ignore' });

/**
 * A Maestro of its own (SQLite file and transcripts under `root/<name>`) on the bench's tmux socket,
 * listening on port 0, with the runtime `createMaestro` would make (made here to be listened to);
 * `pollOnly` silences its exit notices, so exits are found by the reconciler's interval alone.
 */
async function startMaestro(
  name: string,
  config: Partial<MaestroConfig> = {},
  pollOnly = false,
): Promise<{ m: Maestro; runtime: Runtime }> {
  const dir = join(root, name);
  mkdirSync(dir);
  const full: MaestroConfig = {
    ...DEFAULTS,
    port: 0,
    db: join(dir, 'maestro.db'),
    tmuxSocket: socket,
    logLevel: 'silent',
    maxSessions: 100_000,
    ...config,
  };
  const tmuxRuntime = new TmuxSessionManager({
    socket,
    owner: `bench-${name}`,
    hiddenEnv: [ENV_VARS.token, ENV_VARS.db],
    logDir: transcriptDir(full),
    logMaxBytes: full.logMaxBytes,
  });
  const runtime = pollOnly ? withoutExitNotices(tmuxRuntime) : tmuxRuntime;
  const m = await createMaestro(full, { log: pino({ level: 'silent' }), runtime });
  await m.services.projects.create({ id: PROJECT, name: 'bench', repoPath: root });
  await m.listen();
  return { m, runtime };
}

/** `real` with silent exit notices. */
function withoutExitNotices(real: TmuxSessionManager): Runtime {
  const notices = { ...real.notices, onExit: SILENT_NOTICES.onExit };
  return new Proxy(real, {
    get(target, key) {
      if (key === 'notices') return notices;
      const value = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** When each session's events reached the store's listeners (performance.now()), and waiters for them. */
class EventLog {
  readonly seen = new Map<string, { t: number; event: MaestroEvent }[]>();
  private readonly waiters = new Set<{ id: string; match: (e: MaestroEvent) => boolean; resolve: (t: number) => void }>();
  readonly off: () => void;

  constructor(m: Maestro) {
    this.off = m.services.store.onEvents((events) => {
      const t = performance.now();
      for (const event of events) {
        const id = (event.data.id as string | undefined) ?? '';
        if (!id) continue;
        const list = this.seen.get(id) ?? [];
        list.push({ t, event });
        this.seen.set(id, list);
        for (const w of this.waiters)
          if (w.id === id && w.match(event)) {
            this.waiters.delete(w);
            w.resolve(t);
          }
      }
    });
  }

  /** When the first event of `id` matching `match` from now on arrives; undefined after `timeoutMs`. */
  next(id: string, match: (e: MaestroEvent) => boolean, timeoutMs: number): Promise<number | undefined> {
    return new Promise((resolve) => {
      const waiter = {
        id,
        match,
        resolve: (t: number) => {
          clearTimeout(timer);
          resolve(t);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        resolve(undefined);
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  /** The `session:agent_state` events of `id` so far. */
  states(id: string): { t: number; to: string; waitingFor: WaitingFor | null }[] {
    return (this.seen.get(id) ?? [])
      .filter((e) => e.event.type === 'session:agent_state')
      .map((e) => ({ t: e.t, to: e.event.data.to as string, waitingFor: e.event.data.waitingFor as WaitingFor | null }));
  }
}

/** Runs `fn` over `items`, `parallel` at a time, results in order. */
async function pool<T, R>(items: readonly T[], parallel: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) results[i] = await fn(items[i] as T, i);
  };
  await Promise.all(Array.from({ length: Math.min(parallel, items.length) }, worker));
  return results;
}

const spawn = (m: Maestro, command: string[], agent?: AgentKind) =>
  m.services.sessions.spawn({ projectId: PROJECT, command, ...(agent ? { agent } : {}) });

/**
 * Spawns `count` sessions of `command`, {@link SPAWN_PARALLEL} at a time but the first alone: the
 * runtime opens its transcripts' watch at its first start, and concurrent first starts each open
 * one (PaneLogs.open is not guarded against that), which would multiply every output notice.
 */
async function spawnMany(m: Maestro, count: number, command: string[], agent?: AgentKind): Promise<Session[]> {
  const first = await spawn(m, command, agent);
  const rest = await pool(
    Array.from({ length: count - 1 }, () => undefined),
    SPAWN_PARALLEL,
    () => spawn(m, command, agent),
  );
  return [first, ...rest];
}

/** Deletes sessions (killing what still runs and removing their transcripts), quietly. */
async function remove(m: Maestro, sessions: readonly Session[]): Promise<void> {
  await pool(sessions, SPAWN_PARALLEL, (s) => m.services.sessions.delete(s.id).catch(() => undefined));
}

interface Trials {
  latencies: number[];
  /** Trials that heard nothing matching within {@link TRIAL_TIMEOUT_MS}. */
  misses: number;
  /** Trials whose session moved to a state other than the expected one before it (e.g. a wrong reading). */
  wrong: number;
  /** Duration of the `tmux send-keys` calls, included in each latency. */
  sendMs: number[];
}

/**
 * `trials` trials, `concurrency` at a time: each spawns `command`, waits for it to be quiet (its
 * agent `starting` or `idle`), sends it a line, and times the first event matching `done`; none
 * within `timeoutMs` is a miss.
 */
async function latency(
  m: Maestro,
  log: EventLog,
  {
    trials,
    concurrency = CONCURRENCY,
    timeoutMs = TRIAL_TIMEOUT_MS,
  }: { trials: number; concurrency?: number; timeoutMs?: number },
  command: string[],
  agent: AgentKind | undefined,
  done: (e: MaestroEvent) => boolean,
  wrong: (e: MaestroEvent) => boolean = () => false,
): Promise<Trials> {
  const out: Trials = { latencies: [], misses: 0, wrong: 0, sendMs: [] };
  for (let first = 0; first < trials; first += concurrency) {
    const count = Math.min(concurrency, trials - first);
    const sessions = await spawnMany(m, count, command, agent);
    // Quiet first: a pane's start prints nothing here, and the watcher has had its settle time.
    await pause(400);
    for (const s of sessions) {
      const state = (await m.services.sessions.get(s.id)).agentState;
      if (state !== 'starting' && state !== 'idle') throw new Error(`session ${s.id} is ${state} before its trial`);
    }
    await Promise.all(
      sessions.map(async (s, i) => {
        // Spread over a second, as the outputs of agents at work would be: a few trials overlap.
        await pause((i * SPREAD_MS) / count);
        const heard = log.next(s.id, done, timeoutMs);
        const t0 = performance.now();
        await tmux('send-keys', '-t', `=${s.runtime.kind === 'tmux' ? s.runtime.tmuxSession : ''}:`, 'go', 'Enter');
        out.sendMs.push(performance.now() - t0);
        const t = await heard;
        if (t === undefined) out.misses++;
        else out.latencies.push(t - t0);
        if ((log.seen.get(s.id) ?? []).some((e) => e.t >= t0 && (t === undefined || e.t <= t) && wrong(e.event))) out.wrong++;
      }),
    );
    await remove(m, sessions);
  }
  return out;
}

/** Nearest-rank percentile of sorted `xs` (Infinity for misses). */
const pct = (xs: number[], q: number) => xs[Math.min(xs.length - 1, Math.max(0, Math.ceil(q * xs.length) - 1))] ?? Number.NaN;
const ms = (x: number) => (Number.isFinite(x) ? `${x.toFixed(0)} ms` : 'miss').padStart(9);
const mark = (ok: boolean) => (ok ? '✓' : '✗');

function latencyRow(name: string, r: Trials, targetMs: number | undefined): string {
  const xs = [...r.latencies, ...Array<number>(r.misses).fill(Number.POSITIVE_INFINITY)].sort((a, b) => a - b);
  const p99 = pct(xs, 0.99);
  const send = r.sendMs.reduce((a, b) => a + b, 0) / Math.max(1, r.sendMs.length);
  const target =
    targetMs === undefined ? ''.padEnd(20) : `p99 ≤ ${targetMs} ms ${mark(p99 <= targetMs && r.wrong === 0)}`.padEnd(20);
  return `${name.padEnd(44)}${ms(pct(xs, 0.5))}${ms(pct(xs, 0.95))}${ms(p99)}${ms(xs.at(-1) ?? Number.NaN)}   ${target}  misses ${r.misses}, wrong ${r.wrong}; send-keys ${send.toFixed(1)} ms`;
}

/** CPU seconds of this process (its own) and of its reaped children (the tmux clients it ran), from /proc/self/stat. */
const TICKS_PER_SEC = Number((await execa('getconf', ['CLK_TCK'], { reject: false })).stdout) || 100;
function cpuSeconds(): { self: number; children: number } {
  const usage = process.cpuUsage();
  const stat = readFileSync('/proc/self/stat', 'utf8');
  // Fields from the 3rd on, after the command name in parentheses: cutime and cstime are the 16th and 17th.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { self: (usage.user + usage.system) / 1e6, children: (Number(rest[13]) + Number(rest[14])) / TICKS_PER_SEC };
}

/** CPU seconds (utime + stime) of a process from /proc, 0 when it is gone. */
function procCpu(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[11]) + Number(rest[12])) / TICKS_PER_SEC;
  } catch {
    return 0;
  }
}

/** The tmux server's CPU seconds, and the summed CPU seconds of its `cat` children (the pipe-pane streams). */
async function tmuxSideCpu(): Promise<{ server: number; cats: number; catCount: number }> {
  const server = Number((await tmux('display-message', '-p', '#{pid}')).stdout.trim());
  let cats = 0;
  let catCount = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (comm === 'cat' && ppid === server) {
        cats += procCpu(Number(entry));
        catCount++;
      }
    } catch {
      // gone meanwhile
    }
  }
  return { server: procCpu(server), cats, catCount };
}

interface CpuWindow {
  /** This process and its reaped children, in % of one core. */
  pct: number;
  selfPct: number;
  childrenPct: number;
  serverPct: number;
  catsPct: number;
  /** How many pipe-pane `cat`s ran at the window's end. */
  catCount: number;
}

/** Runs `during` for `seconds`, measuring CPU over the window. */
async function cpuWindow(seconds: number, during: (until: number) => Promise<void>): Promise<CpuWindow> {
  const side0 = await tmuxSideCpu();
  const cpu0 = cpuSeconds();
  const t0 = performance.now();
  await during(t0 + seconds * 1000);
  const wall = (performance.now() - t0) / 1000;
  const cpu1 = cpuSeconds();
  const side1 = await tmuxSideCpu();
  const pctOf = (x: number) => (100 * x) / wall;
  const self = cpu1.self - cpu0.self;
  const children = cpu1.children - cpu0.children;
  return {
    pct: pctOf(self + children),
    selfPct: pctOf(self),
    childrenPct: pctOf(children),
    serverPct: pctOf(side1.server - side0.server),
    catsPct: pctOf(side1.cats - side0.cats),
    catCount: side1.catCount,
  };
}

/** A printer of 10 lines a second that forks nothing per line: perl, else python3, else a shell loop (which forks `sleep`). */
async function printerCommand(): Promise<{ command: string[]; name: string }> {
  const has = async (program: string) => (await execa('sh', ['-c', `command -v ${program}`], { reject: false })).exitCode === 0;
  if (await has('perl'))
    return {
      name: 'perl',
      command: ['perl', '-e', '$|=1; my $i=0; while(1){print "line ", $i++, "\\n"; select(undef,undef,undef,0.1)}'],
    };
  if (await has('python3'))
    return {
      name: 'python3',
      command: ['python3', '-u', '-c', 'import time\ni=0\nwhile True:\n print("line", i); i+=1; time.sleep(0.1)'],
    };
  return { name: 'sh loop (forks sleep)', command: ['sh', '-c', 'i=0; while :; do echo "line $i"; i=$((i+1)); sleep 0.1; done'] };
}

const isState = (to: string, reason?: string, choices?: number) => (e: MaestroEvent) =>
  e.type === 'session:agent_state' &&
  e.data.to === to &&
  (reason === undefined || (e.data.waitingFor as WaitingFor | null)?.reason === reason) &&
  (choices === undefined || (e.data.waitingFor as WaitingFor | null)?.choices?.length === choices);

/**
 * Keeps the tmux server up for the whole run: a session that is not Maestro's (no owner tag; every
 * reconciler leaves it alone). Without it the server exits whenever a batch's last session is
 * deleted, and a spawn that reaches it meanwhile fails ("server exited unexpectedly").
 */
const keepServer = () => tmux('new-session', '-d', '-s', 'bench-keeper', 'sleep', '1000000');

const benchStarted = performance.now();
/** How long since `since`, and the machine's load average over the last minute (other work on the same cores skews every figure). */
const took = (since: number) => `${((performance.now() - since) / 1000).toFixed(0)} s, load ${(loadavg()[0] ?? 0).toFixed(1)}`;
try {
  await keepServer();
  console.log(
    `agent-state benchmark: tmux ${(await execa('tmux', ['-V'])).stdout.replace('tmux ', '')} on -L ${socket}, ` +
      `${TRIALS} trials (${CONCURRENCY} at a time), ${SESSIONS} sessions × ${SECONDS} s; load ${(loadavg()[0] ?? 0).toFixed(1)}`,
  );

  // ---- 1. Detection latency ------------------------------------------------------------------
  let phase = performance.now();
  const permission = join(FIXTURES, 'claude', 'permission.txt');
  let { m } = await startMaestro('latency', { reconcileIntervalMs: 60_000 });
  let log = new EventLog(m);
  const working = await latency(
    m,
    log,
    { trials: TRIALS },
    ['sh', '-c', 'read x; echo go; exec sleep 600'],
    undefined,
    isState('working'),
    (e) => e.type === 'session:agent_state' && e.data.to !== 'working',
  );
  const waiting = await latency(
    m,
    log,
    { trials: TRIALS },
    ['sh', '-c', 'read x; clear; cat "$1"; exec sleep 600', 'sh', permission],
    'claude',
    isState('waiting', 'permission', 3),
    (e) => e.type === 'session:agent_state' && e.data.to !== 'working' && !isState('waiting', 'permission', 3)(e),
  );
  const isEnded = (e: MaestroEvent) => e.type === 'session:ended';
  const badExit = (e: MaestroEvent) => isEnded(e) && (e.data.exitCode !== 3 || e.data.endReason !== 'terminal_closed');
  const exit3 = ['sh', '-c', 'read x; exit 3'];
  const ended = await latency(m, log, { trials: TRIALS }, exit3, undefined, isEnded, badExit);
  // One at a time: no other child of tmux exits near the same time.
  const alone = await latency(
    m,
    log,
    { trials: LONE_EXITS, concurrency: 1, timeoutMs: LONE_TIMEOUT_MS },
    exit3,
    undefined,
    isEnded,
    badExit,
  );
  log.off();
  await m.close();

  // The same exits, found by the reconciler's interval alone (default 1 s): the path without notices.
  ({ m } = await startMaestro('poll-only', {}, true));
  log = new EventLog(m);
  const polled = await latency(m, log, { trials: POLLED_EXITS }, exit3, undefined, isEnded, badExit);
  log.off();
  await m.close();

  console.log(
    `\n1. detection latency, real tmux, ${TRIALS} trials each, ${CONCURRENCY} at a time (from the send-keys call) [${took(phase)}]`,
  );
  console.log(`${''.padEnd(44)}${'p50'.padStart(9)}${'p95'.padStart(9)}${'p99'.padStart(9)}${'max'.padStart(9)}   target`);
  console.log(latencyRow('(a) output → working (generic)', working, 500));
  console.log(latencyRow('(b) permission prompt → waiting (claude)', waiting, 1500));
  console.log(latencyRow('(c) exit → ended, pane-died notice', ended, 500));
  console.log(latencyRow(`    the same, ${LONE_EXITS} trials one at a time`, alone, 500));
  console.log(latencyRow(`    exit → ended, 1 s reconcile poll only (${POLLED_EXITS})`, polled, undefined));
  console.log(
    `    (a miss: nothing within ${TRIAL_TIMEOUT_MS / 1000} s, ${LONE_TIMEOUT_MS / 1000} s one at a time; the reconciler's interval is 60 s in (c))`,
  );

  // ---- 2. Cost ---------------------------------------------------------------------------------
  phase = performance.now();
  const printer = await printerCommand();
  const cost = await startMaestro('cost');
  m = cost.m;
  log = new EventLog(m);
  let notices = 0;
  const offNotices = cost.runtime.notices.onOutput(() => notices++);
  const setUp = performance.now();
  const printers = await spawnMany(m, SESSIONS, printer.command);
  const names = printers.map((s) => (s.runtime.kind === 'tmux' ? s.runtime.tmuxSession : ''));
  const notWorking = (
    await Promise.all(
      printers.map((s) => log.states(s.id).some((e) => e.to === 'working') || log.next(s.id, isState('working'), 15_000)),
    )
  ).filter((t) => t === undefined).length;
  if (notWorking > 0) throw new Error(`${notWorking} printers never showed as working`);
  console.log(
    `\nset-up: ${SESSIONS} ${printer.name} printers spawned, all working, in ${((performance.now() - setUp) / 1000).toFixed(1)} s`,
  );
  await pause(WARM_UP_MS);
  const windowStart = performance.now();
  notices = 0;
  const watched = await cpuWindow(SECONDS, (until) => pause(until - performance.now()));
  const noticesPerSec = notices / SECONDS;
  const eventTypes = new Map<string, number>();
  for (const list of log.seen.values())
    for (const { t, event } of list) if (t >= windowStart) eventTypes.set(event.type, (eventTypes.get(event.type) ?? 0) + 1);
  const eventsDuring = [...eventTypes].map(([type, n]) => `${n} ${type}`).join(', ') || 'none';
  offNotices();
  log.off();
  // Maestro stops watching (its loops, the transcripts' watch, the exit waiter); the sessions go on.
  await m.close();
  // The naive watcher has no transcripts: the pipe-pane streams are closed, so the tmux side compares too.
  await tmux(...names.flatMap((name, i) => [...(i > 0 ? [';'] : []), 'pipe-pane', '-t', `=${name}:`]));
  await pause(WARM_UP_MS);
  let captures = 0;
  let failed = 0;
  const last = new Map<string, string>();
  let changed = 0;
  const naive = await cpuWindow(SECONDS, async (until) => {
    // One capture per session per second, spread evenly over the second, not waiting for each other
    // but at most NAIVE_IN_FLIGHT at once: when tmux falls behind, the rate drops (counted below).
    const inFlight = new Set<Promise<void>>();
    const gap = 1000 / SESSIONS;
    const start = performance.now();
    for (let k = 0; ; k++) {
      const due = start + k * gap;
      if (due >= until) break;
      const wait = due - performance.now();
      if (wait > 1) await pause(wait);
      while (inFlight.size >= NAIVE_IN_FLIGHT) await Promise.race(inFlight);
      if (performance.now() >= until) break;
      const name = names[k % SESSIONS] as string;
      const p: Promise<void> = tmux('capture-pane', '-p', '-t', `=${name}:`).then((r) => {
        if (r.exitCode !== 0) failed++;
        else {
          captures++;
          if (last.get(name) !== r.stdout) changed++;
          last.set(name, r.stdout);
        }
        inFlight.delete(p);
      });
      inFlight.add(p);
    }
    await Promise.all(inFlight);
  });
  const ratio = naive.pct / watched.pct;
  const rate = captures / SECONDS / SESSIONS;
  const pctCell = (x: number) => `${x.toFixed(2)} %`.padStart(9);
  console.log(
    `\n2. cost: ${SESSIONS} sessions × 10 lines/s for ${SECONDS} s; CPU of this process + its reaped children (tmux clients), % of one core [${took(phase)}]`,
  );
  console.log(`${''.padEnd(56)}${'total'.padStart(9)}${'own'.padStart(9)}${'children'.padStart(10)}`);
  console.log(
    `${'naive: capture-pane per session per second (baseline)'.padEnd(56)}${pctCell(naive.pct)}${pctCell(naive.selfPct)}${pctCell(naive.childrenPct).padStart(10)}   ×1.00`,
  );
  console.log(
    `${'Maestro: watcher + reconciler, default configuration'.padEnd(56)}${pctCell(watched.pct)}${pctCell(watched.selfPct)}${pctCell(watched.childrenPct).padStart(10)}   ×${(watched.pct / naive.pct).toFixed(2)} (naive costs ×${ratio.toFixed(1)})   target ≤ 10 % ${mark(watched.pct <= 10)}`,
  );
  console.log(
    `    naive: ${captures} captures (${rate.toFixed(2)}/session/s${rate < 0.99 ? `: tmux fell behind; at 1/session/s ≈ ${(naive.pct / rate).toFixed(0)} %` : ''}), ${failed} failed, ${changed} showed a change`,
  );
  console.log(
    `    Maestro: ${noticesPerSec.toFixed(0)} output notices/s (${(noticesPerSec / SESSIONS).toFixed(1)}/session/s); events in the window: ${eventsDuring}`,
  );
  console.log(
    `    not counted above (other processes): tmux server ${naive.serverPct.toFixed(2)} % naive / ${watched.serverPct.toFixed(2)} % Maestro; ` +
      `${watched.catCount} pipe-pane cats (Maestro only) ${watched.catsPct.toFixed(2)} % (tick-sampled)`,
  );
  await tmux('kill-server');
  await keepServer();

  // ---- 3. Accuracy -----------------------------------------------------------------------------
  phase = performance.now();
  ({ m } = await startMaestro('accuracy'));
  log = new EventLog(m);
  const states = ['permission', 'question', 'idle', 'working', 'exited'] as const;
  const expected: Record<(typeof states)[number], string> = {
    permission: 'waiting/permission',
    question: 'waiting/question',
    idle: 'waiting/idle_prompt',
    working: 'working',
    exited: 'working',
  };
  const agents = readdirSync(FIXTURES)
    .filter((a) => a in AGENT_SCREENS)
    .sort() as Exclude<AgentKind, 'generic'>[];
  const cases = agents.flatMap((agent) =>
    states.filter((state) => existsSync(join(FIXTURES, agent, `${state}.txt`))).map((state) => ({ agent, state })),
  );
  const readFixture = async ({ agent, state }: (typeof cases)[number]) => {
    const file = join(FIXTURES, agent, `${state}.txt`);
    const s = await spawn(m, ['sh', '-c', 'clear; cat "$1"; exec sleep 600', 'sh', file], agent);
    // The reading is the last move once the screen settled: a move, then a second without another.
    const deadline = performance.now() + TRIAL_TIMEOUT_MS;
    for (;;) {
      const moves = log.states(s.id);
      const lastMove = moves.at(-1);
      if (lastMove && performance.now() - lastMove.t >= 1000) break;
      if (performance.now() > deadline) break;
      await pause(50);
    }
    const lastMove = log.states(s.id).at(-1);
    const reading = lastMove
      ? `${lastMove.to}${lastMove.waitingFor ? `/${lastMove.waitingFor.reason}` : ''}${lastMove.waitingFor?.choices ? ` [${lastMove.waitingFor.choices.length}]` : ''}`
      : 'no event';
    // What the detector makes of the file itself, without tmux: tells a detector miss from a pipeline one.
    const direct = readScreen(AGENT_SCREENS[agent], readFileSync(file, 'utf8').split('\n'));
    return { agent, state, reading, ok: reading.replace(/ \[\d+\]$/, '') === expected[state], direct: direct.state };
  };
  // The first alone, as in spawnMany.
  const readings = [
    await readFixture(cases[0] as (typeof cases)[number]),
    ...(await pool(cases.slice(1), SPAWN_PARALLEL, readFixture)),
  ];
  log.off();
  await m.close();
  const cell = 26;
  console.log(`\n3. accuracy: each recorded screen printed in real tmux, read by the watcher [${took(phase)}]`);
  console.log(`${'screen'.padEnd(10)}${states.map((s) => s.padEnd(cell)).join('')}`);
  console.log(`${'expected'.padEnd(10)}${states.map((s) => expected[s].padEnd(cell)).join('')}`);
  for (const agent of agents)
    console.log(
      `${agent.padEnd(10)}${states
        .map((state) => {
          const r = readings.find((x) => x.agent === agent && x.state === state);
          return (r ? `${r.reading} ${mark(r.ok)}` : '–').padEnd(cell);
        })
        .join('')}`,
    );
  const wrongReadings = readings.filter((r) => !r.ok);
  console.log(`${readings.length - wrongReadings.length}/${readings.length} read right`);
  for (const r of wrongReadings)
    console.log(`    ✗ ${r.agent}/${r.state}: watcher read ${r.reading}; the detector on the file alone says ${r.direct}`);
  console.log(`\ntotal run ${took(benchStarted)}`);
} catch (err) {
  console.error(err);
  process.exitCode = 1;
} finally {
  // Synchronous and guarded: cleans up even when spawning processes is what failed.
  try {
    execFileSync('tmux', ['-L', socket, 'kill-server'], { stdio: 'ignore' });
  } catch {
    // no server left
  }
  rmSync(join(process.env.TMUX_TMPDIR ?? '/tmp', `tmux-${process.getuid?.() ?? 0}`, socket), { force: true });
  rmSync(root, { recursive: true, force: true });
}
