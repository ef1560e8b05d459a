import type { FastifyInstance } from 'fastify';
import type { Services } from '../services.js';

/** `GET /api/health`: liveness and the storage engine. */
export function healthRoutes(app: FastifyInstance, { store }: Services): void {
  app.get('/api/health', async () => ({
    ok: true,
    engine: store.engine,
    activeSessions: await store.countActiveSessions(),
    seq: await store.lastSeq(),
  }));
}
