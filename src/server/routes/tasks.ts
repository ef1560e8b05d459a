import type { FastifyInstance } from 'fastify';
import type { CreateTaskInput, ListTasksQuery, UpdateTaskInput } from '../../domain/index.js';
import type { Services } from '../services.js';

type IdParams = { Params: { id: string } };

/** `/api/tasks`: CRUD and the timeline. */
export function taskRoutes(app: FastifyInstance, { tasks }: Services): void {
  app.post('/api/tasks', async (req, reply) => reply.status(201).send(await tasks.create(req.body as CreateTaskInput)));
  app.get('/api/tasks', async (req) => ({ tasks: await tasks.list(req.query as ListTasksQuery) }));
  app.get<IdParams>('/api/tasks/:id', async (req) => tasks.get(req.params.id));
  app.get<IdParams>('/api/tasks/:id/timeline', async (req) => ({ timeline: (await tasks.get(req.params.id)).timeline }));
  app.patch<IdParams>('/api/tasks/:id', async (req) => tasks.update(req.params.id, req.body as UpdateTaskInput));
  app.delete<IdParams>('/api/tasks/:id', async (req, reply) => {
    await tasks.delete(req.params.id);
    return reply.status(204).send();
  });
}
