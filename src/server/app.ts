import websocket from '@fastify/websocket';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Logger } from 'pino';
import { type AccessPolicy, installAccessControl } from './auth.js';
import { installCompression, WS_PER_MESSAGE_DEFLATE } from './compression.js';
import { answerFrameworkError, installErrorHandlers } from './errors.js';
import { installNodeForwarding } from './node-forwarding.js';
import { registerApiDocs } from './openapi.js';
import { dashboardRoutes } from './routes/dashboard.js';
import { eventRoutes } from './routes/events.js';
import { healthRoutes } from './routes/health.js';
import { maintenanceRoutes, metricsRoutes, usageRoutes } from './routes/maintenance.js';
import { mcpRoutes } from './routes/mcp.js';
import { installZodCompilers } from './routes/mount.js';
import { openApiRoutes } from './routes/openapi.js';
import { projectRoutes } from './routes/projects.js';
import { sessionRoutes } from './routes/sessions.js';
import { taskRoutes } from './routes/tasks.js';
import { terminalRoutes } from './routes/terminal.js';
import { installSessionScopes } from './scopes.js';
import type { Services } from './services.js';

/** The API's version, as the OpenAPI document states it. */
const API_VERSION = '0.1.0';

/** Largest accepted request body, in bytes. */
export const BODY_LIMIT_BYTES = 1024 * 1024;

/**
 * How long the server waits on a client, in milliseconds, so silent or stalled connections cannot
 * pile up (slowloris): `headersMs` for a request's headers, `requestMs` for the whole request,
 * body included, and `idleMs` for a connection that sends nothing (between keep-alive requests).
 * An upgraded WebSocket is not bound by them.
 */
export interface HttpTimeouts {
  headersMs: number;
  requestMs: number;
  idleMs: number;
}

/** The defaults: 10 s for headers, 60 s for a whole request and for an idle connection (nginx's 60 s). */
export const HTTP_TIMEOUTS: HttpTimeouts = { headersMs: 10_000, requestMs: 60_000, idleMs: 60_000 };

/**
 * Builds the Fastify app serving the REST API, the WebSocket event stream and the dashboard.
 * Not yet listening: call `listen()`, or `inject()` in tests. `access` defaults to no token and
 * the server's own origin only.
 */
export async function buildApp(
  services: Services,
  log: Logger,
  access: AccessPolicy = { token: '', allowedOrigins: [], allowedHosts: [], checkHost: true },
  timeouts: HttpTimeouts = HTTP_TIMEOUTS,
): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: log as FastifyBaseLogger,
    requestTimeout: timeouts.requestMs,
    connectionTimeout: timeouts.idleMs,
    keepAliveTimeout: Math.min(timeouts.idleMs, 72_000),
    // Lifecycle steps are logged by core with their session ids; per-request lines would drown them.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT_BYTES,
    forceCloseConnections: true,
    frameworkErrors: answerFrameworkError,
  });
  // Node checks the header and request deadlines on a timer (30 s by default): make it fine enough
  // that a deadline holds to within a tenth of itself.
  app.server.headersTimeout = timeouts.headersMs;
  // (`connectionsCheckingInterval` is read when listening starts; @types/node does not declare it.)
  (app.server as { connectionsCheckingInterval?: number }).connectionsCheckingInterval = Math.max(
    100,
    Math.min(timeouts.headersMs, timeouts.requestMs) / 10,
  );
  installErrorHandlers(app);
  installAccessControl(app, access);
  installSessionScopes(app, services);
  // After the access and scope checks (a refused request goes nowhere); before any route: it hooks
  // the routes only the node running a session can serve as they are added.
  installNodeForwarding(app, services);
  // Before any route: it hooks each route as it is added (the dashboard's files and the API docs too).
  await installCompression(app);
  await app.register(websocket, { options: { maxPayload: 64 * 1024, perMessageDeflate: WS_PER_MESSAGE_DEFLATE } });
  installZodCompilers(app);
  await registerApiDocs(app, API_VERSION);
  for (const routes of [
    healthRoutes,
    openApiRoutes,
    metricsRoutes,
    maintenanceRoutes,
    usageRoutes,
    projectRoutes,
    taskRoutes,
    sessionRoutes,
    eventRoutes,
  ]) {
    routes(app, services);
  }
  // A terminal opened on the wrong node is forwarded with this server's token.
  terminalRoutes(app, services, access.token);
  mcpRoutes(app, access.token, API_VERSION);
  await dashboardRoutes(app);
  return app;
}
