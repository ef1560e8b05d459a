#!/usr/bin/env node
// Builds what `npm install` in a checkout must leave ready: the dashboard (web/dist, Vite) and the
// CLI bundle (dist/cli, esbuild). Both builders are dev dependencies; where they are not installed
// (`npm install --omit=dev`, or Maestro installed as another package's dependency) the build is
// skipped with a note instead of failing the install: the CLI then runs from its sources through
// tsx, and the dashboard's address answers a page saying how to build it.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);

/** Whether `name` can be resolved from the package root. */
function installed(name) {
  try {
    require.resolve(`${name}/package.json`, { paths: [root] });
    return true;
  } catch {
    return false;
  }
}

const missing = ['vite', 'esbuild'].filter((name) => !installed(name));
if (missing.length > 0) {
  console.warn(`maestro: ${missing.join(' and ')} not installed (dev dependencies), dashboard and CLI bundle not built`);
  process.exit(0);
}
const npm = process.env.npm_execpath;
const run = (args) =>
  npm
    ? execFileSync(process.execPath, [npm, 'run', '--silent', ...args], { cwd: root, stdio: 'inherit' })
    : execFileSync('npm', ['run', '--silent', ...args], { cwd: root, stdio: 'inherit' });
run(['build:web', '--', '--logLevel', 'warn']);
run(['build:cli']);
