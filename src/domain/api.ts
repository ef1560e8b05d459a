import { z } from 'zod';
import { sessionRoutes } from './api-sessions.js';
import { typedEventSchema } from './event.js';
import { completeProjectInput, createProjectInput, enqueueProjectInput, projectSchema } from './project.js';
import { type RouteKey, type RouteSpec, route } from './route-spec.js';
import { createTaskInput, listTasksQuery, taskSchema, updateTaskInput } from './task.js';
import {
  cleanupInput,
  eventsQuery,
  healthSchema,
  idParams,
  noContent,
  projectDeletionSchema,
  queueViewSchema,
  sweepReportSchema,
  timelineSchema,
  usageSummarySchema,
} from './wire.js';

/** Every HTTP route of the API but the dashboard's static files. */
export const API = {
  'POST /api/projects': route({
    name: 'createProject',
    summary: 'Create a project',
    tag: 'projects',
    body: createProjectInput,
    status: 201,
    response: projectSchema,
  }),
  'GET /api/projects': route({
    name: 'listProjects',
    summary: 'List projects',
    tag: 'projects',
    status: 200,
    response: z.object({ projects: z.array(projectSchema) }),
  }),
  'GET /api/projects/:id': route({
    name: 'getProject',
    summary: 'Get a project',
    tag: 'projects',
    params: idParams,
    status: 200,
    response: projectSchema,
  }),
  'GET /api/projects/:id/branches': route({
    name: 'projectBranches',
    summary: "The local branches of a project's repository a worktree session may start from, and the one checked out",
    tag: 'projects',
    params: idParams,
    status: 200,
    response: z.object({ current: z.string().nullable(), branches: z.array(z.string()) }),
  }),
  'POST /api/projects/:id/enqueue': route({
    name: 'enqueueProject',
    summary: 'Queue a project (again), optionally with a new priority',
    tag: 'projects',
    params: idParams,
    body: enqueueProjectInput.prefault({}),
    status: 200,
    response: projectSchema,
  }),
  'POST /api/projects/:id/complete': route({
    name: 'completeProject',
    summary: 'Complete (or with success: false, fail) a project, ending its sessions; idempotent',
    tag: 'projects',
    params: idParams,
    body: completeProjectInput.prefault({}),
    status: 200,
    response: projectSchema,
  }),
  'POST /api/projects/:id/cancel': route({
    name: 'cancelProject',
    summary: 'Cancel a project: out of the queue, or stopped with its sessions; idempotent',
    tag: 'projects',
    params: idParams,
    status: 200,
    response: projectSchema,
  }),
  'DELETE /api/projects/:id': route({
    name: 'deleteProject',
    summary: 'Delete a project with its sessions (full cascade, tmux killed) and tasks; answers what went',
    tag: 'projects',
    params: idParams,
    status: 200,
    response: projectDeletionSchema,
  }),
  'GET /api/queue': route({
    name: 'queue',
    summary: 'The project queue',
    tag: 'queue',
    status: 200,
    response: queueViewSchema,
  }),
  'POST /api/queue/pause': route({
    name: 'pauseQueue',
    summary: 'Pause the scheduler',
    tag: 'queue',
    status: 200,
    response: queueViewSchema,
  }),
  'POST /api/queue/resume': route({
    name: 'resumeQueue',
    summary: 'Resume the scheduler',
    tag: 'queue',
    status: 200,
    response: queueViewSchema,
  }),
  'POST /api/tasks': route({
    name: 'createTask',
    summary: 'Create a task',
    tag: 'tasks',
    body: createTaskInput,
    status: 201,
    response: taskSchema,
  }),
  'GET /api/tasks': route({
    name: 'listTasks',
    summary: 'List tasks',
    tag: 'tasks',
    query: listTasksQuery,
    status: 200,
    response: z.object({ tasks: z.array(taskSchema) }),
  }),
  'GET /api/tasks/:id': route({
    name: 'getTask',
    summary: 'Get a task',
    tag: 'tasks',
    params: idParams,
    status: 200,
    response: taskSchema,
  }),
  'PATCH /api/tasks/:id': route({
    name: 'updateTask',
    summary: 'Update a task',
    tag: 'tasks',
    params: idParams,
    body: updateTaskInput,
    status: 200,
    response: taskSchema,
  }),
  'DELETE /api/tasks/:id': route({
    name: 'deleteTask',
    summary: 'Delete a task',
    tag: 'tasks',
    params: idParams,
    status: 204,
    response: noContent,
  }),
  'GET /api/tasks/:id/timeline': route({
    name: 'taskTimeline',
    summary: "A task's timeline",
    tag: 'tasks',
    params: idParams,
    status: 200,
    response: timelineSchema,
  }),
  ...sessionRoutes(),
  'POST /api/maintenance/cleanup': route({
    name: 'cleanup',
    summary: 'Sweep now: time out idle sessions, purge expired ones (at most limit)',
    tag: 'server',
    body: cleanupInput.prefault({}),
    status: 200,
    response: sweepReportSchema,
  }),
  'GET /api/health': route({
    name: 'health',
    summary: 'Health and session metrics',
    tag: 'server',
    status: 200,
    response: healthSchema,
  }),
  'GET /api/usage': route({
    name: 'usage',
    summary: 'Tokens and estimated cost of the stored sessions: in total, per project, per model',
    tag: 'server',
    status: 200,
    response: usageSummarySchema,
  }),
  'GET /api/openapi.json': route({
    name: 'openApi',
    summary: 'This OpenAPI 3.1 document',
    tag: 'server',
    status: 200,
    response: z.record(z.string(), z.unknown()),
  }),
  'GET /metrics': route({
    name: 'metrics',
    summary: 'Prometheus metrics (text format)',
    tag: 'server',
    status: 200,
    response: z.string(),
    produces: 'text/plain',
  }),
  'GET /api/events': route({
    name: 'events',
    summary:
      'WebSocket event stream: with ?since=N every event after N first, then {type: "ready", seq}, then live events; ' +
      'each message one event, `data` by `type`; a cursor the log cannot serve gets {type: "resync"} and close code 4410. ' +
      'A plain GET answers 426.',
    tag: 'events',
    query: eventsQuery,
    status: 200,
    response: typedEventSchema,
  }),
} as const satisfies Record<RouteKey, RouteSpec>;

/** The key (`METHOD /path`) of each route in {@link API}. */
export type ApiRouteKey = keyof typeof API;
