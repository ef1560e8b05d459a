import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** The nearest directory above this module holding package.json: right from src/ and from the dist/ bundle alike. */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

/** Where `npm install` builds the dashboard (web/dist). */
export const DASHBOARD_DIR = join(packageRoot(), 'web', 'dist');

const MISSING = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Maestro</title></head>
<body style="font:15px/1.5 system-ui,sans-serif;margin:2rem">
<h1>Maestro</h1>
<p>The server runs, but the dashboard is not built. Run <code>npm run build:web</code> (done by
<code>npm install</code>) and reload. The API is at <code>/api</code>.</p>
</body></html>`;

/**
 * The dashboard's own pages (web/src/app.tsx routes them in the browser): a deep link or a reload
 * there gets index.html, and the page shows the route.
 */
const PAGES = ['/sessions/*', '/projects', '/tasks', '/activity'];

/** `GET /`: the React dashboard from web/dist, or a page saying how to build it. */
export async function dashboardRoutes(app: FastifyInstance): Promise<void> {
  if (existsSync(`${DASHBOARD_DIR}/index.html`)) {
    await app.register(fastifyStatic, { root: DASHBOARD_DIR, prefix: '/', index: 'index.html', wildcard: false });
    for (const url of PAGES) app.get(url, { schema: { hide: true } }, (_req, reply) => reply.sendFile('index.html'));
  } else {
    app.get('/', { schema: { hide: true } }, async (_req, reply) => reply.type('text/html; charset=utf-8').send(MISSING));
  }
}
