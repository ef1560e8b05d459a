/**
 * Runs the benchmarks named on the command line (default: all), one process each.
 *   npm run bench            every benchmark
 *   npm run bench -- sweep   one
 *   npm run bench -- agent-state --trials 40   one, with its options (everything from the first `-`)
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const all = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts')
  .map((f) => f.replace(/\.ts$/, ''));
const args = process.argv.slice(2);
const firstOption = args.findIndex((a) => a.startsWith('-'));
const names = firstOption === -1 ? args : args.slice(0, firstOption);
const options = firstOption === -1 ? [] : args.slice(firstOption);
const chosen = names.length > 0 ? names : all;
for (const name of chosen) {
  if (!all.includes(name)) throw new Error(`no benchmark "${name}"; have: ${all.join(', ')}`);
  console.log(`\n== ${name} ==`);
  // --expose-gc: the churn soak samples memory after a full collection.
  execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', join(here, `${name}.ts`), ...options], { stdio: 'inherit' });
}
