import type { FastifyInstance } from 'fastify';
import type { Services } from '../services.js';
import { mount } from './mount.js';

/** `/api/tasks`: CRUD and the timeline. */
export function taskRoutes(app: FastifyInstance, { tasks }: Services): void {
  mount(app, 'POST /api/tasks', ({ body }) => tasks.create(body));
  mount(app, 'GET /api/tasks', async ({ query }) => ({ tasks: await tasks.list(query) }));
  mount(app, 'GET /api/tasks/:id', ({ params }) => tasks.get(params.id));
  mount(app, 'GET /api/tasks/:id/timeline', async ({ params }) => ({ timeline: (await tasks.get(params.id)).timeline }));
  mount(app, 'PATCH /api/tasks/:id', ({ params, body }) => tasks.update(params.id, body));
  mount(app, 'DELETE /api/tasks/:id', ({ params }) => tasks.delete(params.id));
}
