/**
 * Browser-terminal benchmark (issue #19.3): the round trip of a keystroke to its echo on screen
 * through the session's terminal WebSocket (what the dashboard's xterm.js does: a WebSocket
 * client on loopback, tmux attach in a PTY on the server), against the naive way measured in the
 * same run: `tmux send-keys` then `tmux capture-pane` until the echo shows.
 * Target: p99 ≤ 50 ms.
 *
 *   npm run bench -- terminal        (TRIALS=50 for a quicker run)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { execa } from 'execa';
import pino from 'pino';
import WebSocket from 'ws';
import { DEFAULTS } from '../src/core/config.js';
import { createMaestro } from '../src/maestro.js';

const TRIALS = Number(process.env.TRIALS ?? 200);
const socket = `maestro-bench-term-${process.pid}`;
const dir = mkdtempSync(join(tmpdir(), 'maestro-bench-terminal-'));
const quantile = (xs: number[], q: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] as number;
const line = (name: string, xs: number[]) =>
  `${name.padEnd(44)} p50 ${quantile(xs, 0.5).toFixed(1).padStart(6)} ms   p99 ${quantile(xs, 0.99).toFixed(1).padStart(6)} ms   max ${Math.max(
    ...xs,
  )
    .toFixed(1)
    .padStart(6)} ms`;

const maestro = await createMaestro(
  { ...DEFAULTS, port: 0, db: join(dir, 'maestro.db'), tmuxSocket: socket, logLevel: 'silent' },
  { log: pino({ level: 'silent' }) },
);
try {
  const base = await maestro.listen();
  await maestro.services.projects.create({ id: 'proj_bench', name: 'bench', repoPath: dir });
  // `cat` in a cooked terminal: the line discipline echoes every key at once.
  const spawnCat = () => maestro.services.sessions.spawn({ projectId: 'proj_bench', command: ['cat'] });

  // Through the terminal WebSocket.
  const viaSocket = await spawnCat();
  const ws = new WebSocket(`${base.replace('http', 'ws')}/api/sessions/${viaSocket.id}/terminal?cols=200&rows=50`);
  let drawn = '';
  let waiting: { token: string; resolve: () => void } | undefined;
  ws.on('message', (data) => {
    drawn += data.toString();
    if (waiting && drawn.includes(waiting.token)) waiting.resolve();
  });
  await new Promise((resolve, reject) => {
    ws.on('open', resolve);
    ws.on('error', reject);
  });
  // tmux has drawn the screen: the client is attached.
  while (drawn.length === 0) await new Promise((r) => setTimeout(r, 10));
  const socketTrips: number[] = [];
  for (let i = 0; i < TRIALS; i++) {
    const token = `k${i}z`;
    drawn = '';
    const echoed = new Promise<void>((resolve) => {
      waiting = { token, resolve };
    });
    const started = performance.now();
    ws.send(JSON.stringify({ type: 'input', data: i % 20 === 19 ? `${token}\r` : token }));
    await echoed;
    socketTrips.push(performance.now() - started);
  }
  ws.close();

  // The naive way: type with send-keys, read the screen with capture-pane until the echo shows.
  const naive = await spawnCat();
  const target = `=maestro-${naive.id}:`;
  const naiveTrips: number[] = [];
  for (let i = 0; i < TRIALS; i++) {
    const token = `n${i}z`;
    const started = performance.now();
    await execa('tmux', ['-L', socket, 'send-keys', '-t', target, '-l', token]);
    for (;;) {
      const { stdout } = await execa('tmux', ['-L', socket, 'capture-pane', '-p', '-t', target]);
      if (stdout.includes(token)) break;
    }
    naiveTrips.push(performance.now() - started);
    if (i % 20 === 19) await execa('tmux', ['-L', socket, 'send-keys', '-t', target, 'Enter']);
  }

  const p99 = quantile(socketTrips, 0.99);
  console.log(`keystroke → echo on screen, ${TRIALS} trials each, loopback`);
  console.log(line('send-keys + capture-pane (naive baseline)', naiveTrips));
  console.log(line('terminal WebSocket (tmux attach in a PTY)', socketTrips));
  console.log(
    `p99 ×${(p99 / quantile(naiveTrips, 0.99)).toFixed(2)} the baseline's; target p99 ≤ 50 ms: ${p99 <= 50 ? 'ok' : 'MISSED'}`,
  );
} finally {
  await maestro.close();
  await execa('tmux', ['-L', socket, 'kill-server'], { reject: false });
  rmSync(dir, { recursive: true, force: true });
}
