import { z } from 'zod';
import { idPattern } from './ids.js';
import { LIMITS } from './limits.js';
import { projectIdSchema } from './project.js';

/**
 * Task states. `in_review`: every session of the task ended with the agent done, and a person has
 * not yet said it is `done` (docs/design.md §Task status).
 */
export const TaskStatus = {
  todo: 'todo',
  in_progress: 'in_progress',
  in_review: 'in_review',
  blocked: 'blocked',
  done: 'done',
  cancelled: 'cancelled',
} as const;
export type TaskStatus = (typeof TaskStatus)[keyof typeof TaskStatus];
export const TASK_STATUSES = Object.values(TaskStatus) as [TaskStatus, ...TaskStatus[]];

/** Statuses that close a task: `completedAt` is set while it is in one. */
export const CLOSED_TASK_STATUSES: readonly TaskStatus[] = ['done', 'cancelled'];

/** Who set a task's status last: a `person` (through the API), or `maestro` following its sessions. */
export const STATUS_SETTERS = ['person', 'maestro'] as const;
export type StatusSetter = (typeof STATUS_SETTERS)[number];

/** Kinds of entries in a task's timeline. */
export const TimelineType = {
  created: 'created',
  status_changed: 'status_changed',
  session_started: 'session_started',
  session_ended: 'session_ended',
  /** Its session's work was merged, kept on its branch, or discarded (`data: {action, branch, commit?}`). */
  session_finished: 'session_finished',
  /** A person's note (`data: {message}`). */
  note: 'note',
} as const;
export type TimelineType = (typeof TimelineType)[keyof typeof TimelineType];
export const TIMELINE_TYPES = Object.values(TimelineType) as [TimelineType, ...TimelineType[]];

export const taskIdSchema = z.string().regex(idPattern('task'), 'expected a task id: task_ followed by [A-Za-z0-9_-]');

/** One entry of a task's timeline. */
export const timelineEntrySchema = z.object({
  id: z.string(),
  type: z.enum(TIMELINE_TYPES),
  timestamp: z.string(),
  sessionId: z.string().optional(),
  data: z.record(z.string(), z.unknown()).optional(),
});
export type TimelineEntry = z.infer<typeof timelineEntrySchema>;

/** A task as the API returns it; `sessionIds` comes from the task↔session link table. */
export const taskSchema = z.object({
  id: taskIdSchema,
  projectId: projectIdSchema,
  /** The task this one is a subtask of (same project), or null. */
  parentId: taskIdSchema.nullable(),
  title: z.string(),
  description: z.string(),
  status: z.enum(TASK_STATUSES),
  /** Who set `status` last; null while it is the one it was created with. */
  statusBy: z.enum(STATUS_SETTERS).nullable(),
  /** Higher first, as a project's. */
  priority: z.number().int(),
  sessionIds: z.array(z.string()),
  timeline: z.array(timelineEntrySchema),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** When it first left `todo` for work (ISO-8601), or null. */
  startedAt: z.string().nullable(),
  /** When it was closed (`done` or `cancelled`), null while open. */
  completedAt: z.string().nullable(),
});
export type Task = z.infer<typeof taskSchema>;

/** A task as lists show it (`GET /api/tasks`): without its description and timeline, which grow. */
export const taskSummarySchema = taskSchema.omit({ description: true, timeline: true });
export type TaskSummary = z.infer<typeof taskSummarySchema>;

const taskPriority = z.number().int().min(-1000).max(1000);

/** Body of `POST /api/tasks`. */
export const createTaskInput = z.strictObject({
  id: taskIdSchema.optional(),
  projectId: projectIdSchema,
  /** Make it a subtask of this task, which must be in the same project. */
  parentId: taskIdSchema.optional(),
  title: z.string().trim().min(1).max(LIMITS.name),
  description: z.string().max(LIMITS.text).default(''),
  status: z.enum(TASK_STATUSES).default('todo'),
  priority: taskPriority.default(0),
});
export type CreateTaskInput = z.input<typeof createTaskInput>;

/** Body of `PATCH /api/tasks/:id`: any subset of the editable fields. */
export const updateTaskInput = z.strictObject({
  title: z.string().trim().min(1).max(LIMITS.name).optional(),
  description: z.string().max(LIMITS.text).optional(),
  status: z.enum(TASK_STATUSES).optional(),
  priority: taskPriority.optional(),
  /** Move it under another task of the same project (never under itself or its own subtasks); null makes it top-level. */
  parentId: taskIdSchema.nullable().optional(),
});
export type UpdateTaskInput = z.input<typeof updateTaskInput>;

/** Query of `GET /api/tasks`. */
export const listTasksQuery = z.strictObject({
  projectId: projectIdSchema.optional(),
  status: z.enum(TASK_STATUSES).optional(),
  /** Tasks titled exactly this (a task's name is its title). */
  name: z.string().max(LIMITS.name).optional(),
  /** Subtasks of this task only. */
  parentId: taskIdSchema.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  /** `summary` (default): without description and timeline; `full`: whole tasks. */
  view: z.enum(['summary', 'full']).default('summary'),
});
export type ListTasksQuery = z.input<typeof listTasksQuery>;

/** Body of `POST /api/tasks/:id/timeline`: a person's note on the task's timeline. */
export const taskNoteInput = z.strictObject({
  message: z.string().trim().min(1).max(LIMITS.text),
});
export type TaskNoteInput = z.input<typeof taskNoteInput>;

/** The status fields of a task (`Task` or a stored row). */
type StatusFields = Pick<Task, 'status' | 'statusBy' | 'startedAt' | 'completedAt'>;

/** Statuses that say work on a task began: the first move into one sets `startedAt`. */
const WORK_STATUSES: readonly TaskStatus[] = ['in_progress', 'in_review', 'done'];

/**
 * `task` with its status moved to `to` by `by` at `at` (ISO-8601): `startedAt` set the first time
 * it enters `in_progress`, `in_review` or `done` (kept afterwards); `completedAt` set on entering
 * `done` or `cancelled` and cleared when it is opened again.
 */
export function withStatus<T extends StatusFields>(task: T, to: TaskStatus, by: StatusSetter, at: string): T {
  const closed = CLOSED_TASK_STATUSES.includes(to);
  return {
    ...task,
    status: to,
    statusBy: by,
    startedAt: task.startedAt ?? (WORK_STATUSES.includes(to) ? at : null),
    completedAt: closed ? (CLOSED_TASK_STATUSES.includes(task.status) ? task.completedAt : at) : null,
  };
}
