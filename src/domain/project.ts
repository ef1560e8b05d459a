import { z } from 'zod';
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

/** A project as the API returns it. Timestamps are ISO-8601 strings. */
export const projectSchema = z.object({
  id: projectIdSchema,
  name: z.string(),
  repoPath: z.string(),
  status: z.enum(PROJECT_STATUSES),
  priority: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Project = z.infer<typeof projectSchema>;

/** Body of `POST /api/projects`. `repoPath` must be absolute: sessions start there. */
export const createProjectInput = z.strictObject({
  id: projectIdSchema.optional(),
  name: z.string().trim().min(1).max(LIMITS.name),
  repoPath: z
    .string()
    .min(1)
    .max(LIMITS.path)
    .refine((p) => p.startsWith('/'), 'expected an absolute path'),
  status: z.enum(PROJECT_STATUSES).default('running'),
  priority: z.number().int().min(-1000).max(1000).default(0),
});
export type CreateProjectInput = z.input<typeof createProjectInput>;
