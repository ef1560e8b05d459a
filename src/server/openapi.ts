import { z } from 'zod';
import {
  completeProjectInput,
  createProjectInput,
  createSessionInput,
  createTaskInput,
  endInput,
  enqueueProjectInput,
  listSessionsQuery,
  listTasksQuery,
  needsInputInput,
  projectSchema,
  sessionSchema,
  spawnInput,
  taskSchema,
  touchInput,
  transitionInput,
  typedEventSchema,
  updateSessionInput,
  updateTaskInput,
} from '../domain/index.js';

interface Route {
  method: 'get' | 'post' | 'patch' | 'delete';
  path: string;
  summary: string;
  body?: z.ZodType;
  query?: z.ZodObject;
  response?: z.ZodType;
  status?: number;
}

const sessionList = z.object({ sessions: z.array(sessionSchema), seq: z.number().int() });
const errorBody = z.object({
  error: z.literal(true),
  code: z.string(),
  message: z.string(),
  details: z.record(z.string(), z.unknown()),
});

/** Every route, with the zod schemas the handlers validate with. */
const ROUTES: Route[] = [
  {
    method: 'post',
    path: '/api/projects',
    summary: 'Create a project',
    body: createProjectInput,
    response: projectSchema,
    status: 201,
  },
  { method: 'get', path: '/api/projects', summary: 'List projects', response: z.object({ projects: z.array(projectSchema) }) },
  { method: 'get', path: '/api/projects/{id}', summary: 'Get a project', response: projectSchema },
  {
    method: 'post',
    path: '/api/projects/{id}/enqueue',
    summary: 'Queue a project',
    body: enqueueProjectInput,
    response: projectSchema,
  },
  {
    method: 'post',
    path: '/api/projects/{id}/complete',
    summary: 'Complete a project (idempotent)',
    body: completeProjectInput,
    response: projectSchema,
  },
  { method: 'post', path: '/api/projects/{id}/cancel', summary: 'Cancel a project', response: projectSchema },
  {
    method: 'delete',
    path: '/api/projects/{id}',
    summary: 'Delete a project with its sessions (full cascade, tmux killed) and tasks; answers what went',
  },
  { method: 'get', path: '/api/queue', summary: 'The project queue' },
  { method: 'post', path: '/api/queue/pause', summary: 'Pause the scheduler' },
  { method: 'post', path: '/api/queue/resume', summary: 'Resume the scheduler' },
  { method: 'post', path: '/api/tasks', summary: 'Create a task', body: createTaskInput, response: taskSchema, status: 201 },
  {
    method: 'get',
    path: '/api/tasks',
    summary: 'List tasks',
    query: listTasksQuery,
    response: z.object({ tasks: z.array(taskSchema) }),
  },
  { method: 'get', path: '/api/tasks/{id}', summary: 'Get a task', response: taskSchema },
  { method: 'patch', path: '/api/tasks/{id}', summary: 'Update a task', body: updateTaskInput, response: taskSchema },
  { method: 'delete', path: '/api/tasks/{id}', summary: 'Delete a task', status: 204 },
  { method: 'get', path: '/api/tasks/{id}/timeline', summary: "A task's timeline" },
  {
    method: 'post',
    path: '/api/sessions',
    summary: 'Create a session record',
    body: createSessionInput,
    response: sessionSchema,
    status: 201,
  },
  {
    method: 'post',
    path: '/api/sessions/spawn',
    summary: 'Start a command in tmux as a session',
    body: spawnInput,
    response: sessionSchema,
    status: 201,
  },
  {
    method: 'post',
    path: '/api/sessions/import',
    summary: 'Import exported session metadata',
    body: sessionSchema,
    response: sessionSchema,
    status: 201,
  },
  {
    method: 'get',
    path: '/api/sessions',
    summary: 'List sessions with the event sequence',
    query: listSessionsQuery,
    response: sessionList,
  },
  { method: 'get', path: '/api/sessions/{id}', summary: 'Get a session', response: sessionSchema },
  {
    method: 'patch',
    path: '/api/sessions/{id}',
    summary: 'Update a session (nested objects merged)',
    body: updateSessionInput,
    response: sessionSchema,
  },
  { method: 'delete', path: '/api/sessions/{id}', summary: 'Delete a session with the full cascade', status: 204 },
  {
    method: 'post',
    path: '/api/sessions/{id}/transition',
    summary: 'Move along the state machine',
    body: transitionInput,
    response: sessionSchema,
  },
  { method: 'post', path: '/api/sessions/{id}/end', summary: 'End a session', body: endInput, response: sessionSchema },
  { method: 'post', path: '/api/sessions/{id}/touch', summary: 'Record activity', body: touchInput, response: sessionSchema },
  {
    method: 'post',
    path: '/api/sessions/{id}/needs-input',
    summary: 'The agent waits for its user',
    body: needsInputInput,
    response: sessionSchema,
  },
  { method: 'post', path: '/api/sessions/{id}/input-given', summary: 'The user answered', response: sessionSchema },
  { method: 'get', path: '/api/sessions/{id}/output', summary: 'Last lines of output' },
  { method: 'post', path: '/api/sessions/{id}/tasks/{taskId}', summary: 'Link a task', response: sessionSchema },
  { method: 'delete', path: '/api/sessions/{id}/tasks/{taskId}', summary: 'Unlink a task', response: sessionSchema },
  { method: 'post', path: '/api/maintenance/cleanup', summary: 'Sweep now' },
  { method: 'get', path: '/api/health', summary: 'Health and session metrics' },
  {
    method: 'get',
    path: '/api/events',
    summary: 'WebSocket event stream (?since=N): each message one event, `data` by `type`',
    response: typedEventSchema,
  },
];

const json = (schema: z.ZodType, io: 'input' | 'output') =>
  z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' });

/** The OpenAPI 3.1 document of the API, generated from the zod schemas (served at `GET /api/openapi.json`). */
export function openApiDocument(version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of ROUTES) {
    const params = [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    const query = r.query
      ? Object.entries((json(r.query, 'input') as { properties?: Record<string, unknown> }).properties ?? {}).map(
          ([name, schema]) => ({
            name,
            in: 'query',
            required: false,
            schema,
          }),
        )
      : [];
    paths[r.path] ??= {};
    (paths[r.path] as Record<string, unknown>)[r.method] = {
      summary: r.summary,
      ...(params.length + query.length > 0 ? { parameters: [...params, ...query] } : {}),
      ...(r.body ? { requestBody: { required: true, content: { 'application/json': { schema: json(r.body, 'input') } } } } : {}),
      responses: {
        [String(r.status ?? 200)]: {
          description: 'success',
          ...(r.response ? { content: { 'application/json': { schema: json(r.response, 'output') } } } : {}),
        },
        '4XX': { description: 'refused', content: { 'application/json': { schema: json(errorBody, 'output') } } },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Maestro', version, description: 'Session lifecycle server for AI coding agents' },
    paths,
  };
}
