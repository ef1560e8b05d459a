import { z } from 'zod';
import { idPattern } from './ids.js';
import { LIMITS } from './limits.js';
import { projectIdSchema } from './project.js';

/** Task states. */
export const TaskStatus = {
  todo: 'todo',
  in_progress: 'in_progress',
  blocked: 'blocked',
  done: 'done',
  cancelled: 'cancelled',
} as const;
export type TaskStatus = (typeof TaskStatus)[keyof typeof TaskStatus];
export const TASK_STATUSES = Object.values(TaskStatus) as [TaskStatus, ...TaskStatus[]];

/** Kinds of entries in a task's timeline. */
export const TimelineType = {
  created: 'created',
  status_changed: 'status_changed',
  session_started: 'session_started',
  session_ended: 'session_ended',
  /** Its session's work was merged, kept on its branch, or discarded (`data: {action, branch, commit?}`). */
  session_finished: 'session_finished',
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
  title: z.string(),
  description: z.string(),
  status: z.enum(TASK_STATUSES),
  sessionIds: z.array(z.string()),
  timeline: z.array(timelineEntrySchema),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Task = z.infer<typeof taskSchema>;

/** Body of `POST /api/tasks`. */
export const createTaskInput = z.strictObject({
  id: taskIdSchema.optional(),
  projectId: projectIdSchema,
  title: z.string().trim().min(1).max(LIMITS.name),
  description: z.string().max(LIMITS.text).default(''),
  status: z.enum(TASK_STATUSES).default('todo'),
});
export type CreateTaskInput = z.input<typeof createTaskInput>;

/** Body of `PATCH /api/tasks/:id`: any subset of the editable fields. */
export const updateTaskInput = z.strictObject({
  title: z.string().trim().min(1).max(LIMITS.name).optional(),
  description: z.string().max(LIMITS.text).optional(),
  status: z.enum(TASK_STATUSES).optional(),
});
export type UpdateTaskInput = z.input<typeof updateTaskInput>;

/** Query of `GET /api/tasks`. */
export const listTasksQuery = z.strictObject({
  projectId: projectIdSchema.optional(),
  status: z.enum(TASK_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
export type ListTasksQuery = z.input<typeof listTasksQuery>;
