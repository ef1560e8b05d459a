import type { FastifyInstance } from 'fastify';
import type { Services } from '../services.js';
import { mount } from './mount.js';

/** `POST /api/maintenance/cleanup`: one sweep now (`{dryRun?, limit?}`), answering its report. */
export function maintenanceRoutes(app: FastifyInstance, { sweeper }: Services): void {
  mount(app, 'POST /api/maintenance/cleanup', ({ body: { dryRun, limit } }) => sweeper.sweep({ dryRun, purgeLimit: limit }));
}

/** `GET /api/usage`: tokens and estimated cost, in total, per project and per model. */
export function usageRoutes(app: FastifyInstance, { sessions }: Services): void {
  mount(app, 'GET /api/usage', () => sessions.usage());
}

/** `GET /metrics`: Prometheus text format (sent as text, not through a JSON serialiser). */
export function metricsRoutes(app: FastifyInstance, services: Services): void {
  mount(app, 'GET /metrics', async (_req, reply) => {
    const metrics = services.metrics;
    reply.type(metrics.registry.contentType);
    return metrics.text();
  });
}
