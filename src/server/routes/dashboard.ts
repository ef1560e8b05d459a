import type { FastifyInstance } from 'fastify';

const PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Maestro</title>
<style>body{font:15px/1.5 system-ui,sans-serif;margin:2rem;color:#1b1f24;background:#fff}code{background:#eef1f4;padding:0 .3em}</style>
</head>
<body>
<h1>Maestro</h1>
<p>The server is running. The live dashboard arrives in a later release; meanwhile use the CLI
(<code>maestro session list</code>) or the API (<code>GET /api/sessions</code>, WebSocket <code>/api/events</code>).</p>
</body>
</html>`;

/** `GET /`: the dashboard (a placeholder page until the React dashboard lands). */
export function dashboardRoutes(app: FastifyInstance): void {
  app.get('/', async (_req, reply) => reply.type('text/html; charset=utf-8').send(PAGE));
}
