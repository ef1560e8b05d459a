import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Session } from '../domain/index.js';
import { errorAnswer } from './errors.js';
import type { Services } from './services.js';

/**
 * Routes an orchestrator's own token opens beyond its own session's (docs/design.md §Access
 * policy, issue #25.2), each checked by {@link installSessionScopes} against what it touches: its
 * project's sessions and tasks, the sessions it spawns. A worker's token opens none of them.
 */
export const ORCHESTRATOR_ROUTES: ReadonlySet<string> = new Set([
  'GET /api/sessions',
  'POST /api/sessions/spawn',
  'POST /api/sessions/wait',
  'GET /api/sessions/:id',
  'GET /api/sessions/:id/output',
  'GET /api/sessions/:id/log',
  'GET /api/sessions/:id/diff',
  'GET /api/sessions/:id/prompt',
  'POST /api/sessions/:id/input',
  'POST /api/sessions/:id/answer',
  'POST /api/sessions/:id/end',
  'POST /api/sessions/:id/finish',
  'DELETE /api/sessions/:id',
  'GET /api/tasks',
  'POST /api/tasks',
  'GET /api/tasks/:id',
  'GET /api/projects/:id',
]);

/** The session whose own token made the request, when an orchestrator route awaits its scope check. */
declare module 'fastify' {
  interface FastifyRequest {
    sessionCaller: string | null;
  }
}

/** A refusal of a session token, naming what it may not do and why. */
class ScopeRefusal extends Error {}

/**
 * Checks each request a session's own token makes on an {@link ORCHESTRATOR_ROUTES} route (after
 * its body was validated): the caller must be an `orchestrator`; it lists and reads the sessions
 * and tasks of its own project only (a list is narrowed to it); it spawns workers into its own
 * project only, as their parent; it deletes only the sessions it spawned. Anything else answers
 * 403 `forbidden` naming what was refused. How many live workers it may have is a limit of the
 * session writes (`MAESTRO_MAX_CHILDREN`, checked atomically with the insert: 429 `limit_exceeded`).
 */
export function installSessionScopes(app: FastifyInstance, services: Services): void {
  app.decorateRequest('sessionCaller', null);
  app.addHook('preHandler', async (req, reply) => {
    if (req.sessionCaller === null) return;
    try {
      await checkScope(req, req.sessionCaller, services);
    } catch (err) {
      if (!(err instanceof ScopeRefusal)) throw err;
      return reply.code(403).send(errorAnswer('forbidden', err.message, { sessionId: req.sessionCaller }));
    }
  });
}

async function checkScope(req: FastifyRequest, callerId: string, services: Services): Promise<void> {
  const caller = await services.store.getSession(callerId);
  if (!caller) throw new ScopeRefusal(`session ${callerId} no longer exists; its token opens nothing`);
  const route = `${req.method} ${req.routeOptions.url ?? ''}`;
  if (caller.role !== 'orchestrator')
    throw new ScopeRefusal(
      `this token is session ${callerId}'s own, a worker: it may report on and read that session only, not ${route}`,
    );
  const own = caller.projectId;
  const params = (req.params ?? {}) as { id?: string };
  const query = (req.query ?? {}) as { projectId?: string };
  const body = (req.body ?? {}) as Record<string, unknown>;
  const inProject = (what: string, projectId: string | undefined) => {
    if (projectId !== own) throw new ScopeRefusal(`orchestrator ${callerId} may touch its own project ${own} only, not ${what}`);
  };
  const session = async (id: string): Promise<Session> => {
    const s = await services.store.getSession(id);
    // A session of another project is refused like a missing one would be: 403 either way, no leak.
    inProject(`session ${id}`, s?.projectId);
    return s as Session;
  };

  switch (route) {
    case 'GET /api/sessions':
    case 'GET /api/tasks':
      if (query.projectId !== undefined) inProject(`project ${query.projectId}`, query.projectId);
      query.projectId = own;
      return;
    case 'POST /api/tasks':
      return inProject(`project ${String(body.projectId)}`, body.projectId as string | undefined);
    case 'GET /api/tasks/:id':
      return inProject(`task ${params.id}`, (await services.store.getTask(params.id ?? ''))?.projectId);
    case 'GET /api/projects/:id':
      return inProject(`project ${params.id}`, params.id);
    case 'POST /api/sessions/wait':
      for (const id of (body.ids as string[] | undefined) ?? []) await session(id);
      return;
    case 'POST /api/sessions/spawn': {
      inProject(`project ${String(body.projectId)}`, body.projectId as string | undefined);
      if (body.role === 'orchestrator')
        throw new ScopeRefusal(`orchestrator ${callerId} may spawn workers only, not another orchestrator`);
      // What it spawns is its child, whatever the body said.
      body.parentSessionId = callerId;
      return;
    }
    case 'DELETE /api/sessions/:id': {
      const target = await session(params.id ?? '');
      if (target.parentSessionId !== callerId)
        throw new ScopeRefusal(`orchestrator ${callerId} may delete the sessions it spawned only, not ${target.id}`);
      return;
    }
    default:
      await session(params.id ?? '');
  }
}
