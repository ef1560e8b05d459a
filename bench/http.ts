/**
 * HTTP benchmark (issue #10). Over real sockets, autocannon drives the session life cycle on
 * `maestro serve` — create, transition, touch, delete, each request waiting for the previous
 * answer of its connection — and, in the same run, a bare Fastify hello (the baseline) and the
 * durable-write floor: bare Fastify doing the same SQL writes with raw better-sqlite3, durable
 * before the answer (`fixtures/durable-floor.ts`). The floor shows what any server making these
 * writes durable can reach on this machine; Maestro's ratio to it is Maestro's own overhead. The
 * same floor with fsync skipped shows how much of the gap to the baseline is durability and how
 * much is the writes themselves (every commit writes each touched table and index page to the WAL).
 * Target: Maestro's requests/s ≥ 40% of the baseline's.
 *
 *   npm run bench -- http          (DURATION=5 seconds per measurement for a quicker run)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { type Served, serveDurableFloor, serveHello, serveMaestro } from './fixtures/servers.js';

const DURATION = Number(process.env.DURATION ?? 10);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 10);
const dir = mkdtempSync(join(tmpdir(), 'maestro-bench-http-'));

type Context = { id?: string };
const json = { 'content-type': 'application/json' };

async function measure(options: autocannon.Options): Promise<autocannon.Result> {
  const result = await autocannon({ connections: CONNECTIONS, duration: DURATION, ...options });
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`${options.url}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  return result;
}

try {
  const hello = await serveHello();
  await measure({ url: hello.url, duration: 2 }); // warm-up
  const baseline = await measure({ url: hello.url });
  await hello.stop();

  const floor = await serveDurableFloor(join(dir, 'floor.db'));
  const floorResult = await measureLifecycle(floor);
  await floor.stop();
  const noSync = await serveDurableFloor(join(dir, 'nosync.db'), 'OFF');
  const noSyncResult = await measureLifecycle(noSync);
  await noSync.stop();

  const maestro = await serveMaestro(join(dir, 'maestro.db'), [
    '--max-sessions',
    '1000000',
    '--tmux-socket',
    `maestro-bench-${process.pid}`,
  ]);
  const result = await measureLifecycle(maestro);
  await maestro.stop();

  const rps = (r: autocannon.Result) => r.requests.average;
  const ratio = rps(result) / rps(baseline);
  const line = (name: string, r: autocannon.Result, extra = '') =>
    `${name.padEnd(44)} ${rps(r).toFixed(0).padStart(7)} req/s   p99 ${String(r.latency.p99).padStart(3)} ms${extra}`;
  const percent = (a: autocannon.Result, b: autocannon.Result) => `${((rps(a) / rps(b)) * 100).toFixed(1)}%`;
  console.log(`HTTP over real sockets, ${CONNECTIONS} connections, ${DURATION} s each (SQLite, WAL, synchronous=FULL)`);
  console.log(line('bare Fastify hello (baseline)', baseline));
  console.log(
    line('durable floor: same writes, raw SQLite', floorResult, `   (${percent(floorResult, baseline)} of the baseline)`),
  );
  console.log(
    line('same writes, no fsync (not durable)', noSyncResult, `   (${percent(noSyncResult, baseline)} of the baseline)`),
  );
  console.log(line('maestro create+transition+touch+delete', result, `   (${(rps(result) / 4).toFixed(0)} life cycles/s)`));
  console.log(
    `ratio ${(ratio * 100).toFixed(1)}% of the baseline   target ≥ 40% ${ratio >= 0.4 ? 'ok' : 'MISSED'}   (${percent(result, floorResult)} of the durable floor)`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}

/** Creates a project on `server`, warms up, then measures the session life cycle. */
async function measureLifecycle(server: Served): Promise<autocannon.Result> {
  const project = (await (
    await fetch(`${server.url}/api/projects`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ name: 'bench', repoPath: dir }),
    })
  ).json()) as { id: string };
  const path = (context: Context, suffix: string) => `/api/sessions/${context.id}${suffix}`;
  const lifecycle: autocannon.Request[] = [
    {
      method: 'POST',
      path: '/api/sessions',
      headers: json,
      body: JSON.stringify({ projectId: project.id }),
      onResponse: (_status, body, context: Context) => {
        context.id = (JSON.parse(body) as { id: string }).id;
      },
    },
    {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ status: 'planning' }),
      setupRequest: (req, context: Context) => ({ ...req, path: path(context, '/transition') }),
    },
    {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ messages: 1 }),
      setupRequest: (req, context: Context) => ({ ...req, path: path(context, '/touch') }),
    },
    { method: 'DELETE', setupRequest: (req, context: Context) => ({ ...req, path: path(context, '') }) },
  ];
  await measure({ url: server.url, requests: lifecycle, duration: 2 }); // warm-up
  return measure({ url: server.url, requests: lifecycle });
}
