import type { FastifyInstance } from 'fastify';
import { HOOK_SESSION_HEADER, parseInput, sessionIdSchema } from '../../domain/index.js';
import type { Services } from '../services.js';
import { mount } from './mount.js';

/** `/api/sessions`: create, spawn, import, list, get, update, transition, end, touch, input, output, transcript, task links, delete. */
export function sessionRoutes(app: FastifyInstance, { sessions }: Services): void {
  mount(app, 'POST /api/sessions', ({ body }) => sessions.create(body));
  mount(app, 'POST /api/sessions/import', ({ body }) => sessions.importMetadata(body));
  mount(app, 'POST /api/sessions/spawn', ({ body }) => sessions.spawn(body));
  mount(app, 'GET /api/sessions', ({ query }) => sessions.page(query));
  mount(app, 'POST /api/sessions/wait', async ({ body }, reply) => {
    // Ends at the timeout, or when the client goes away: a wait holds no resource past its caller.
    // The response's `close`, not the request's: a request closes as soon as its body was read.
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), body.timeoutSecs * 1000);
    reply.raw.once('close', () => abort.abort());
    try {
      return await sessions.waits.wait(body.ids, body.states, abort.signal);
    } finally {
      clearTimeout(timer);
    }
  });
  mount(app, 'GET /api/sessions/:id', ({ params }) => sessions.get(params.id));
  mount(app, 'PATCH /api/sessions/:id', ({ params, body }) => sessions.update(params.id, body));
  mount(app, 'POST /api/sessions/:id/transition', ({ params, body }) => sessions.transition(params.id, body));
  mount(app, 'POST /api/sessions/:id/end', ({ params, body: { reason, exitCode, version, note } }) =>
    sessions.end(params.id, reason, { exitCode, version, note }),
  );
  mount(app, 'GET /api/sessions/:id/output', ({ params, query }) => sessions.output(params.id, query.lines));
  mount(app, 'POST /api/sessions/:id/finish', ({ params, body }) => sessions.finisher.finish(params.id, body));
  mount(app, 'GET /api/sessions/:id/diff', ({ params, query }) => sessions.diffs.diff(params.id, query));
  mount(app, 'GET /api/sessions/:id/log', async ({ params, query, raw }, reply) => {
    const closed = new AbortController();
    raw.raw.once('close', () => closed.abort());
    const transcript = await sessions.transcripts.read(params.id, { follow: query.follow, signal: closed.signal });
    // A follow may stay quiet longer than the idle timeout of a connection: it ends with the session.
    if (query.follow) raw.raw.socket.setTimeout(0);
    return reply.type('text/plain; charset=utf-8').send(transcript);
  });
  mount(app, 'POST /api/hooks/:agent', async ({ params, body, raw }) => {
    await sessions.reports.report(params.agent, hookSession(raw.headers[HOOK_SESSION_HEADER]), body);
  });
  mount(app, 'POST /api/sessions/:id/needs-input', ({ params, body }) => sessions.needsInput(params.id, body));
  mount(app, 'POST /api/sessions/:id/restart', ({ params }) => sessions.restart(params.id));
  mount(app, 'POST /api/sessions/:id/input', ({ params, body }) => sessions.terminal.sendInput(params.id, body));
  mount(app, 'GET /api/sessions/:id/prompt', ({ params }) => sessions.terminal.prompt(params.id));
  mount(app, 'POST /api/sessions/:id/answer', ({ params, body }) => sessions.terminal.answer(params.id, body));
  mount(app, 'POST /api/sessions/:id/input-given', ({ params }) => sessions.inputGiven(params.id));
  mount(app, 'POST /api/sessions/:id/touch', ({ params, body }) => sessions.touch(params.id, body));
  mount(app, 'POST /api/sessions/:id/tasks/:taskId', ({ params }) => sessions.linkTask(params.id, params.taskId));
  mount(app, 'DELETE /api/sessions/:id/tasks/:taskId', ({ params }) => sessions.unlinkTask(params.id, params.taskId));
  mount(app, 'DELETE /api/sessions/:id', ({ params }) => sessions.delete(params.id));
}

/**
 * The session a hook reports for, from its header (Claude Code's http hooks fill it from
 * `$MAESTRO_SESSION_ID`).
 * @throws ValidationError naming the header when it is missing or not a session id
 */
function hookSession(header: string | string[] | undefined): string {
  return parseInput(sessionIdSchema, typeof header === 'string' ? header : undefined, `headers.${HOOK_SESSION_HEADER}`);
}
