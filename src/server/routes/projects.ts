import type { FastifyInstance } from 'fastify';
import type { CreateProjectInput } from '../../domain/index.js';
import type { Services } from '../services.js';

/** `/api/projects`: create, list, get. */
export function projectRoutes(app: FastifyInstance, { projects }: Services): void {
  app.post('/api/projects', async (req, reply) => reply.status(201).send(await projects.create(req.body as CreateProjectInput)));
  app.get('/api/projects', async () => ({ projects: await projects.list() }));
  app.get<{ Params: { id: string } }>('/api/projects/:id', async (req) => projects.get(req.params.id));
}
