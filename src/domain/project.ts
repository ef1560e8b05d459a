import { z } from 'zod';
import { commandSchema } from './command.js';
import { idPattern } from './ids.js';
import { LIMITS } from './limits.js';

/** Project queue states. */
export const ProjectStatus = {
  queued: 'queued',
  running: 'running',
  completed: 'completed',
  failed: 'failed',
  cancelled: 'cancelled',
} as const;
export type ProjectStatus = (typeof ProjectStatus)[keyof typeof ProjectStatus];
export const PROJECT_STATUSES = Object.values(ProjectStatus) as [ProjectStatus, ...ProjectStatus[]];

export const projectIdSchema = z.string().regex(idPattern('project'), 'expected a project id: proj_ followed by [A-Za-z0-9_-]');

/**
 * How `finish --merge` brings a worktree's branch into the main checkout: always a merge commit
 * (`git merge --no-ff`, the default: the branch stays visible in history), or fast-forward when
 * the main branch has not moved (`git merge --ff`, a merge commit otherwise).
 */
export const MERGE_STRATEGIES = ['merge_commit', 'fast_forward'] as const;
export type MergeStrategy = (typeof MERGE_STRATEGIES)[number];

/** Terminal project states: their sessions must all be ended. */
export const FINISHED_PROJECT_STATUSES: readonly ProjectStatus[] = ['completed', 'failed', 'cancelled'];

/**
 * A project as the API returns it. Timestamps are ISO-8601 strings. `agentCommand` is what the
 * scheduler spawns when it starts the project; `scheduled` says the scheduler started it (only
 * such projects count against the running limit, complete when their last session ends, and are
 * failed when stuck without a live session).
 */
export const projectSchema = z.object({
  id: projectIdSchema,
  name: z.string(),
  description: z.string(),
  repoPath: z.string(),
  status: z.enum(PROJECT_STATUSES),
  priority: z.number().int(),
  agentCommand: z.array(z.string()).nullable(),
  /** How a worktree session's branch is merged (`finish --merge`). */
  mergeStrategy: z.enum(MERGE_STRATEGIES),
  /** Whether its tasks' statuses follow their sessions (docs/design.md §Task status). */
  autoTaskStatus: z.boolean(),
  scheduled: z.boolean(),
  statusReason: z.string().nullable(),
  queuedAt: z.string().nullable(),
  startedAt: z.string().nullable(),
  completedAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Project = z.infer<typeof projectSchema>;

/** The fields a project is created with and may be edited (`PATCH /api/projects/:id`). */
const editableProjectFields = {
  name: z.string().trim().min(1).max(LIMITS.name),
  description: z.string().max(LIMITS.text),
  /** Absolute, and an existing directory (checked by the service): sessions start there. */
  repoPath: z
    .string()
    .min(1)
    .max(LIMITS.path)
    .refine((p) => p.startsWith('/'), 'expected an absolute path'),
  priority: z.number().int().min(-1000).max(1000),
  /** Program and arguments the scheduler spawns when it starts the project (argument array, no shell). */
  agentCommand: commandSchema.nullable(),
  mergeStrategy: z.enum(MERGE_STRATEGIES),
  autoTaskStatus: z.boolean(),
};

/** Body of `POST /api/projects`. `repoPath` must be absolute: sessions start there. */
export const createProjectInput = z.strictObject({
  id: projectIdSchema.optional(),
  ...editableProjectFields,
  description: editableProjectFields.description.default(''),
  priority: editableProjectFields.priority.default(0),
  agentCommand: editableProjectFields.agentCommand.optional(),
  mergeStrategy: editableProjectFields.mergeStrategy.default('merge_commit'),
  autoTaskStatus: editableProjectFields.autoTaskStatus.default(true),
  /** Put it in the queue at once (status `queued`); otherwise it starts `running`, managed by hand. */
  enqueue: z.boolean().default(false),
});
export type CreateProjectInput = z.input<typeof createProjectInput>;

/** Body of `PATCH /api/projects/:id`: any subset of the editable fields (`agentCommand: null` clears it). */
export const updateProjectInput = z.strictObject(editableProjectFields).partial();
export type UpdateProjectInput = z.input<typeof updateProjectInput>;

/** Query of `GET /api/projects`. */
export const listProjectsQuery = z.strictObject({
  /** Projects with exactly this name. */
  name: z.string().max(LIMITS.name).optional(),
});
export type ListProjectsQuery = z.input<typeof listProjectsQuery>;

/** Body of `POST /api/projects/:id/complete`. */
export const completeProjectInput = z.strictObject({
  success: z.boolean().default(true),
  reason: z.string().max(LIMITS.name).optional(),
});
export type CompleteProjectInput = z.input<typeof completeProjectInput>;

/** Body of `POST /api/projects/:id/enqueue`: optionally a new priority (higher starts first). */
export const enqueueProjectInput = z.strictObject({
  priority: z.number().int().min(-1000).max(1000).optional(),
});
export type EnqueueProjectInput = z.input<typeof enqueueProjectInput>;

/**
 * A new project record at `nowMs` (milliseconds since the epoch): `queued` when `enqueue`,
 * otherwise `running` and managed by hand.
 */
export function newProject(
  fields: {
    id: string;
    name: string;
    repoPath: string;
    description?: string;
    priority?: number;
    agentCommand?: string[] | null;
    mergeStrategy?: MergeStrategy;
    autoTaskStatus?: boolean;
    enqueue?: boolean;
  },
  nowMs: number,
): Project {
  const at = new Date(nowMs).toISOString();
  return {
    id: fields.id,
    name: fields.name,
    description: fields.description ?? '',
    repoPath: fields.repoPath,
    status: fields.enqueue ? 'queued' : 'running',
    priority: fields.priority ?? 0,
    agentCommand: fields.agentCommand ?? null,
    mergeStrategy: fields.mergeStrategy ?? 'merge_commit',
    autoTaskStatus: fields.autoTaskStatus ?? true,
    scheduled: false,
    statusReason: null,
    queuedAt: fields.enqueue ? at : null,
    startedAt: fields.enqueue ? null : at,
    completedAt: null,
    createdAt: at,
    updatedAt: at,
  };
}
