import type { FastifyInstance } from 'fastify';
import type { CompleteProjectInput, CreateProjectInput, EnqueueProjectInput } from '../../domain/index.js';
import type { Services } from '../services.js';

type IdParams = { Params: { id: string } };

/** `/api/projects` (create, list, get, enqueue, complete, cancel, delete) and `/api/queue` (view, pause, resume). */
export function projectRoutes(app: FastifyInstance, { projects }: Services): void {
  app.post('/api/projects', async (req, reply) => reply.status(201).send(await projects.create(req.body as CreateProjectInput)));
  app.get('/api/projects', async () => ({ projects: await projects.list() }));
  app.get<IdParams>('/api/projects/:id', async (req) => projects.get(req.params.id));
  app.post<IdParams>('/api/projects/:id/enqueue', async (req) =>
    projects.enqueue(req.params.id, (req.body ?? {}) as EnqueueProjectInput),
  );
  app.post<IdParams>('/api/projects/:id/complete', async (req) =>
    projects.complete(req.params.id, (req.body ?? {}) as CompleteProjectInput),
  );
  app.post<IdParams>('/api/projects/:id/cancel', async (req) => projects.cancel(req.params.id));
  app.delete<IdParams>('/api/projects/:id', async (req) => projects.delete(req.params.id));
  app.get('/api/queue', async () => projects.queue());
  app.post('/api/queue/pause', async () => projects.setPaused(true));
  app.post('/api/queue/resume', async () => projects.setPaused(false));
}
