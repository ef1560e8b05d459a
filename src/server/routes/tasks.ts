import type { FastifyInstance } from 'fastify';
import type { Services } from '../services.js';
import { mount } from './mount.js';

/** `/api/tasks`: CRUD, subtasks and the timeline. */
export function taskRoutes(app: FastifyInstance, { tasks }: Services): void {
  mount(app, 'POST /api/tasks', ({ body }) => tasks.create(body));
  mount(app, 'GET /api/tasks', async ({ query }) => ({ tasks: await tasks.list(query) }));
  mount(app, 'GET /api/tasks/:id', ({ params }) => tasks.get(params.id));
  mount(app, 'GET /api/tasks/:id/children', async ({ params }) => ({ tasks: await tasks.children(params.id) }));
  mount(app, 'POST /api/tasks/:id/timeline', ({ params, body }) => tasks.note(params.id, body));
  mount(app, 'GET /api/tasks/:id/timeline', async ({ params }) => ({ timeline: (await tasks.get(params.id)).timeline }));
  mount(app, 'PATCH /api/tasks/:id', ({ params, body }) => tasks.update(params.id, body));
  mount(app, 'DELETE /api/tasks/:id', async ({ params }) => {
    await tasks.delete(params.id);
  });
}
