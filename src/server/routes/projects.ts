import type { FastifyInstance } from 'fastify';
import type { Services } from '../services.js';
import { mount } from './mount.js';

/** `/api/projects` (create, list, get, update, branches, enqueue, complete, cancel, delete) and `/api/queue` (view, pause, resume). */
export function projectRoutes(app: FastifyInstance, { projects, sessions }: Services): void {
  mount(app, 'POST /api/projects', ({ body }) => projects.create(body));
  mount(app, 'GET /api/projects', async ({ query }) => ({ projects: await projects.list(query) }));
  mount(app, 'PATCH /api/projects/:id', ({ params, body }) => projects.update(params.id, body));
  mount(app, 'GET /api/projects/:id', ({ params }) => projects.get(params.id));
  mount(app, 'GET /api/projects/:id/branches', ({ params }) => sessions.spawner.branches(params.id));
  mount(app, 'POST /api/projects/:id/enqueue', ({ params, body }) => projects.enqueue(params.id, body));
  mount(app, 'POST /api/projects/:id/complete', ({ params, body }) => projects.complete(params.id, body));
  mount(app, 'POST /api/projects/:id/cancel', ({ params }) => projects.cancel(params.id));
  mount(app, 'DELETE /api/projects/:id', ({ params }) => projects.delete(params.id));
  mount(app, 'GET /api/queue', () => projects.queue());
  mount(app, 'POST /api/queue/pause', () => projects.setPaused(true));
  mount(app, 'POST /api/queue/resume', () => projects.setPaused(false));
}
