import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type {
  CreateSessionInput,
  EndInput,
  ListSessionsQuery,
  NeedsInputInput,
  SpawnInput,
  TouchInput,
  TransitionInput,
  UpdateSessionInput,
} from '../../domain/index.js';
import { endInput, LIMITS, parseInput } from '../../domain/index.js';
import type { Services } from '../services.js';

const outputQuery = z.strictObject({
  lines: z.coerce
    .number()
    .int()
    .min(1)
    .max(LIMITS.outputLines * 10)
    .default(LIMITS.outputLines),
});

type IdParams = { Params: { id: string } };
type LinkParams = { Params: { id: string; taskId: string } };

/** `/api/sessions`: create, spawn, list, get, update, transition, end, touch, task links, delete. */
export function sessionRoutes(app: FastifyInstance, { sessions }: Services): void {
  app.post('/api/sessions', async (req, reply) => reply.status(201).send(await sessions.create(req.body as CreateSessionInput)));
  app.post('/api/sessions/import', async (req, reply) => reply.status(201).send(await sessions.importMetadata(req.body)));
  app.post('/api/sessions/spawn', async (req, reply) => reply.status(201).send(await sessions.spawn(req.body as SpawnInput)));
  app.get('/api/sessions', async (req) => sessions.list(req.query as ListSessionsQuery));
  app.get<IdParams>('/api/sessions/:id', async (req) => sessions.get(req.params.id));
  app.patch<IdParams>('/api/sessions/:id', async (req) => sessions.update(req.params.id, req.body as UpdateSessionInput));
  app.post<IdParams>('/api/sessions/:id/transition', async (req) =>
    sessions.transition(req.params.id, req.body as TransitionInput),
  );
  app.post<IdParams>('/api/sessions/:id/end', async (req) => {
    const { reason, exitCode, version } = parseInput(endInput, (req.body ?? {}) as EndInput, 'body');
    return sessions.end(req.params.id, reason, { exitCode, version });
  });
  app.get<IdParams>('/api/sessions/:id/output', async (req) => {
    const { lines } = parseInput(outputQuery, req.query, 'query');
    return sessions.output(req.params.id, lines);
  });
  app.post<IdParams>('/api/sessions/:id/needs-input', async (req) =>
    sessions.needsInput(req.params.id, (req.body ?? {}) as NeedsInputInput),
  );
  app.post<IdParams>('/api/sessions/:id/input-given', async (req) => sessions.inputGiven(req.params.id));
  app.post<IdParams>('/api/sessions/:id/touch', async (req) => sessions.touch(req.params.id, (req.body ?? {}) as TouchInput));
  app.post<LinkParams>('/api/sessions/:id/tasks/:taskId', async (req) => sessions.linkTask(req.params.id, req.params.taskId));
  app.delete<LinkParams>('/api/sessions/:id/tasks/:taskId', async (req) => sessions.unlinkTask(req.params.id, req.params.taskId));
  app.delete<IdParams>('/api/sessions/:id', async (req, reply) => {
    await sessions.delete(req.params.id);
    return reply.status(204).send();
  });
}
