import websocket from '@fastify/websocket';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Logger } from 'pino';
import { type AccessPolicy, installAccessControl } from './auth.js';
import { answerFrameworkError, installErrorHandlers } from './errors.js';
import { dashboardRoutes } from './routes/dashboard.js';
import { eventRoutes } from './routes/events.js';
import { healthRoutes } from './routes/health.js';
import { maintenanceRoutes, metricsRoutes } from './routes/maintenance.js';
import { openApiRoutes } from './routes/openapi.js';
import { projectRoutes } from './routes/projects.js';
import { sessionRoutes } from './routes/sessions.js';
import { taskRoutes } from './routes/tasks.js';
import type { Services } from './services.js';

/** Largest accepted request body, in bytes. */
export const BODY_LIMIT_BYTES = 1024 * 1024;

/**
 * Builds the Fastify app serving the REST API, the WebSocket event stream and the dashboard.
 * Not yet listening: call `listen()`, or `inject()` in tests. `access` defaults to no token and
 * the server's own origin only.
 */
export async function buildApp(
  services: Services,
  log: Logger,
  access: AccessPolicy = { token: '', allowedOrigins: [] },
): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: log as FastifyBaseLogger,
    // Lifecycle steps are logged by core with their session ids; per-request lines would drown them.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT_BYTES,
    forceCloseConnections: true,
    frameworkErrors: answerFrameworkError,
  });
  installErrorHandlers(app);
  installAccessControl(app, access);
  await app.register(websocket, { options: { maxPayload: 64 * 1024 } });
  for (const routes of [
    healthRoutes,
    openApiRoutes,
    metricsRoutes,
    maintenanceRoutes,
    projectRoutes,
    taskRoutes,
    sessionRoutes,
    eventRoutes,
  ]) {
    routes(app, services);
  }
  await dashboardRoutes(app);
  return app;
}
