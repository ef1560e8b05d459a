import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseInput } from '../../domain/index.js';
import type { Services } from '../services.js';

const cleanupInput = z.strictObject({
  dryRun: z.boolean().default(false),
  /** Purge at most this many ended sessions in this call. */
  limit: z.number().int().min(1).max(1_000_000).optional(),
});

/** `POST /api/maintenance/cleanup`: one sweep now (`{dryRun?, limit?}`), answering its report. */
export function maintenanceRoutes(app: FastifyInstance, { sweeper }: Services): void {
  app.post('/api/maintenance/cleanup', async (req) => {
    const { dryRun, limit } = parseInput(cleanupInput, req.body ?? {}, 'body');
    return sweeper.sweep({ dryRun, purgeLimit: limit });
  });
}

/** `GET /metrics`: Prometheus text format. */
export function metricsRoutes(app: FastifyInstance, services: Services): void {
  app.get('/metrics', async (_req, reply) => {
    const metrics = services.metrics;
    return reply.type(metrics.registry.contentType).send(await metrics.text());
  });
}
