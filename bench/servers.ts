/**
 * Servers the benchmarks measure, each in its own process so the load generator does not share
 * its event loop: `maestro serve` (the real command) and the bare-Fastify baseline.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface Served {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

const bin = fileURLToPath(new URL('../bin/maestro.js', import.meta.url));
const hello = fileURLToPath(new URL('./fixtures/hello.ts', import.meta.url));
const broadcast = fileURLToPath(new URL('./fixtures/ws-broadcast.ts', import.meta.url));

/** Starts a process and resolves once it printed a JSON line with `url` (or, for Maestro, `maestro listening`). */
function serve(args: string[]): Promise<Served> {
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    child.on('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code} before listening`)));
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      const entry = JSON.parse(line) as { url?: string; msg?: string };
      if (entry.url && (entry.msg === undefined || entry.msg === 'maestro listening'))
        resolve({
          url: entry.url,
          child,
          stop: async () => {
            child.kill('SIGTERM');
            await exited;
          },
        });
    });
  });
}

/** `maestro serve` on a fresh SQLite file, with `flags` added. */
export function serveMaestro(db: string, flags: string[] = []): Promise<Served> {
  return serve([bin, 'serve', '--port', '0', '--db', db, '--log-level', 'info', ...flags]);
}

/** The bare `ws` broadcast baseline: each line written to its stdin goes to every client. */
export function serveBroadcast(): Promise<Served> {
  return serve(['--import', 'tsx', broadcast]);
}

/** Resident memory of a process, in MiB (Linux `/proc`). */
export function rssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(line?.split(/\s+/)[1] ?? 0) / 1024;
}

/** The bare Fastify baseline. */
export function serveHello(): Promise<Served> {
  return serve(['--import', 'tsx', hello]);
}
