/**
 * Hook cost benchmark (issue #20.1): what one hook adds to an agent's tool call.
 * - Claude Code's `http` hook, as the agent makes it: one POST of the recorded PreToolUse payload
 *   to `/api/hooks/claude` from inside the agent's process (keep-alive, like any HTTP client);
 * - a bare `curl` of the same endpoint (the baseline, measured in the same run);
 * - the small hook program other agents run (`bin/maestro-hook claude`: sh + curl, payload on
 *   stdin), and its node fallback;
 * - the old way: the whole CLI (`maestro hook activity`).
 * - the floor of any hook program in node: `node -e ""`.
 * Targets: the http hook's median ≤ 5 ms and ≤ 1.5× the bare curl; the hook program ≤ 60 ms.
 *
 *   npm run bench -- hooks          (TRIALS=50 for a quicker run)
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import pino from 'pino';
import { DEFAULTS } from '../src/core/config.js';
import { createMaestro } from '../src/maestro.js';

const TRIALS = Number(process.env.TRIALS ?? 300);
const root = fileURLToPath(new URL('..', import.meta.url));
const payload = readFileSync(join(root, 'test/fixtures/agents/claude/hooks/PreToolUse.json'), 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'maestro-bench-hooks-'));
const quantile = (xs: number[], q: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] as number;
const row = (name: string, xs: number[], baseline?: number) =>
  `${name.padEnd(52)} median ${quantile(xs, 0.5).toFixed(2).padStart(7)} ms   p99 ${quantile(xs, 0.99).toFixed(2).padStart(7)} ms${
    baseline ? `   ×${(quantile(xs, 0.5) / baseline).toFixed(2)} curl` : ''
  }`;

async function time(trials: number, once: () => Promise<unknown>): Promise<number[]> {
  const xs: number[] = [];
  for (let i = 0; i < trials; i++) {
    const started = performance.now();
    await once();
    xs.push(performance.now() - started);
  }
  return xs;
}

const maestro = await createMaestro(
  { ...DEFAULTS, port: 0, db: join(dir, 'maestro.db'), tmuxSocket: `maestro-bench-hooks-${process.pid}`, logLevel: 'silent' },
  { log: pino({ level: 'silent' }) },
);
try {
  const url = await maestro.listen();
  await maestro.services.projects.create({ id: 'proj_bench', name: 'bench', repoPath: dir });
  const session = await maestro.services.sessions.create({ projectId: 'proj_bench', name: 'hooked' });
  const endpoint = `${url}/api/hooks/claude`;
  const headers = { 'content-type': 'application/json', 'x-maestro-session': session.id };
  const env = { ...process.env, MAESTRO_URL: url, MAESTRO_SESSION_ID: session.id };

  const post = async () => {
    const answer = await fetch(endpoint, { method: 'POST', headers, body: payload });
    if (answer.status !== 204) throw new Error(`hook answered ${answer.status}: ${await answer.text()}`);
  };
  await time(20, post); // warm-up: connections, JIT, statement cache
  const http = await time(TRIALS, post);
  const curlArgs = [
    '-s',
    '-o',
    '/dev/null',
    '-X',
    'POST',
    ...Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]),
    '--data-binary',
    payload,
    endpoint,
  ];
  const curl = await time(Math.min(TRIALS, 100), () => execa('curl', curlArgs));
  const program = await time(Math.min(TRIALS, 50), () =>
    execa(join(root, 'bin/maestro-hook'), ['claude'], { input: payload, env }),
  );
  const nodeProgram = await time(Math.min(TRIALS, 50), () =>
    execa(process.execPath, [join(root, 'bin/maestro-hook.js'), 'claude'], { input: payload, env }),
  );
  // The floor of any hook program in node: starting node itself, doing nothing.
  const bareNode = await time(Math.min(TRIALS, 50), () => execa(process.execPath, ['-e', '']));
  const cli = await time(Math.min(TRIALS, 10), () =>
    execa(process.execPath, [join(root, 'bin/maestro.js'), 'hook', 'activity'], { env }),
  );

  const curlMedian = quantile(curl, 0.5);
  const httpMedian = quantile(http, 0.5);
  const programMedian = quantile(program, 0.5);
  console.log(`what one hook adds to a tool call (${TRIALS} http hooks; the processes fewer), loopback`);
  console.log(row('bare curl of the same endpoint (baseline)', curl));
  console.log(row("Claude Code http hook (POST from the agent's process)", http, curlMedian));
  console.log(row('bare `node -e ""` (the floor of a node hook program)', bareNode, curlMedian));
  console.log(row('maestro-hook (sh + curl, payload on stdin)', program, curlMedian));
  console.log(row('maestro-hook.js (its node fallback, without curl)', nodeProgram, curlMedian));
  console.log(row('the whole CLI: maestro hook activity (before)', cli, curlMedian));
  console.log(
    `http hook: median ≤ 5 ms ${httpMedian <= 5 ? 'ok' : 'MISSED'}; ≤ 1.5× curl ${httpMedian <= 1.5 * curlMedian ? 'ok' : 'MISSED'}; ` +
      `hook program ≤ 60 ms ${programMedian <= 60 ? 'ok' : 'MISSED'} (its node fallback: ${(quantile(nodeProgram, 0.5) - quantile(bareNode, 0.5)).toFixed(1)} ms above starting node)`,
  );
} finally {
  await maestro.close();
  rmSync(dir, { recursive: true, force: true });
}
