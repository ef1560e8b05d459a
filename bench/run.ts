/**
 * Runs the benchmarks named on the command line (default: all), one process each.
 *   npm run bench            every benchmark
 *   npm run bench -- sweep   one
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const all = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts')
  .map((f) => f.replace(/\.ts$/, ''));
const chosen = process.argv.slice(2).length > 0 ? process.argv.slice(2) : all;
for (const name of chosen) {
  if (!all.includes(name)) throw new Error(`no benchmark "${name}"; have: ${all.join(', ')}`);
  console.log(`\n== ${name} ==`);
  // --expose-gc: the churn soak samples memory after a full collection.
  execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', join(here, `${name}.ts`)], { stdio: 'inherit' });
}
