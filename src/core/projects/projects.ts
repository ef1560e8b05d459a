import {
  type CompleteProjectInput,
  ConflictError,
  type CreateProjectInput,
  completeProjectInput,
  createProjectInput,
  type EnqueueProjectInput,
  enqueueProjectInput,
  FINISHED_PROJECT_STATUSES,
  isAlreadyGone,
  type ListProjectsQuery,
  listProjectsQuery,
  NotFoundError,
  newId,
  newProject,
  type Project,
  type ProjectDeletion,
  parseInput,
  type QueueView,
  type UpdateProjectInput,
  updateProjectInput,
} from '../../domain/index.js';
import type { CoreDeps } from '../deps.js';
import { requireDirectory } from '../sessions/directories.js';
import { deleteSessionInTx } from '../sessions/session-lifecycle.js';
import type { SessionService } from '../sessions/sessions.js';
import { definedOnly, deleteTaskInTx } from './tasks.js';

const PAUSED_KEY = 'queue_paused';

type FinishedStatus = 'completed' | 'failed' | 'cancelled';

/** Rows read per step while a project's sessions and tasks are deleted. */
const DELETE_BATCH = 1000;

/** Projects: the top of projects → tasks → sessions, and the queue the scheduler drains. */
export class ProjectService {
  constructor(private readonly deps: CoreDeps & { sessions: SessionService }) {}

  /**
   * Creates a project (`queued` when `enqueue`, else `running` and managed by hand) and appends
   * `project:created` (and `project:queued`).
   * @throws ValidationError on bad input; ConflictError when a client-given id exists
   */
  async create(input: CreateProjectInput): Promise<Project> {
    const data = parseInput(createProjectInput, input, 'body');
    await requireDirectory(data.repoPath, 'body.repoPath');
    const now = this.deps.clock.now();
    const project = newProject({ ...data, id: data.id ?? newId('project') }, now);
    await this.deps.store.transaction(async (tx) => {
      await tx.insertProject(project);
      await tx.appendEvents(
        [
          { type: 'project:created', data: project },
          ...(data.enqueue ? [{ type: 'project:queued' as const, data: project }] : []),
        ],
        now,
      );
    });
    this.deps.log.info({ projectId: project.id, status: project.status }, 'project created');
    return project;
  }

  /** @throws NotFoundError when no project has this id */
  async get(id: string): Promise<Project> {
    const project = await this.deps.store.getProject(id);
    if (!project) throw new NotFoundError('project', id);
    return project;
  }

  /** Every project (or those named exactly `query.name`), highest priority first. @throws ValidationError on a bad query */
  async list(query: ListProjectsQuery = {}): Promise<Project[]> {
    const { name } = parseInput(listProjectsQuery, query, 'query');
    const projects = await this.deps.store.listProjects();
    return name === undefined ? projects : projects.filter((p) => p.name === name);
  }

  /**
   * Edits a project's name, description, repository, priority, agent command or settings and
   * appends `project:updated`. A new `repoPath` must be an existing directory; live sessions keep
   * the directory they started in.
   * @throws ValidationError on bad input (naming the field); NotFoundError
   */
  async update(id: string, input: UpdateProjectInput): Promise<Project> {
    const patch = definedOnly(parseInput(updateProjectInput, input, 'body'));
    if (patch.repoPath !== undefined) await requireDirectory(patch.repoPath, 'body.repoPath');
    const now = this.deps.clock.now();
    const project = await this.deps.store.transaction(async (tx) => {
      const p = await tx.getProject(id);
      if (!p) throw new NotFoundError('project', id);
      const next: Project = { ...p, ...patch, updatedAt: new Date(now).toISOString() };
      await tx.updateProject(next);
      await tx.appendEvents([{ type: 'project:updated', data: next }], now);
      return next;
    });
    this.deps.log.info({ projectId: id, fields: Object.keys(patch) }, 'project updated');
    return project;
  }

  /**
   * Puts a project in the queue (again): status `queued`, optionally with a new priority.
   * @throws NotFoundError; ConflictError when it is running
   */
  async enqueue(id: string, input: EnqueueProjectInput = {}): Promise<Project> {
    const { priority } = parseInput(enqueueProjectInput, input, 'body');
    return this.change(id, 'project:queued', (p, at) => {
      if (p.status === 'running')
        throw new ConflictError(`project ${id} is running; complete or cancel it first`, { projectId: id, status: p.status });
      return {
        ...p,
        status: 'queued',
        priority: priority ?? p.priority,
        queuedAt: at,
        startedAt: null,
        completedAt: null,
        statusReason: null,
        scheduled: false,
      };
    });
  }

  /**
   * Completes a project (docs/design.md §Project queue and scheduler): records `completed` or `failed`, appends
   * `project:completed` / `project:failed`, then ends and kills every live session of the project.
   * Idempotent: a project already finished is returned unchanged.
   * @throws ValidationError; NotFoundError
   */
  complete(id: string, input: CompleteProjectInput = {}): Promise<Project> {
    const { success, reason } = parseInput(completeProjectInput, input, 'body');
    return this.finish(id, success ? 'completed' : 'failed', reason ?? null);
  }

  /** Cancels a project (removes it from the queue, or stops it), ending its sessions. Idempotent. @throws NotFoundError */
  cancel(id: string, reason = 'cancelled'): Promise<Project> {
    return this.finish(id, 'cancelled', reason);
  }

  /**
   * Finishes a project once: status, `completedAt`, reason and its event in one transaction, then
   * its live sessions are ended (reason `killed`) and their tmux sessions killed. A project whose
   * status was set to a finished one by hand (so `completedAt` is still null) is finished here too.
   */
  async finish(id: string, status: FinishedStatus, reason: string | null): Promise<Project> {
    const now = this.deps.clock.now();
    const at = new Date(now).toISOString();
    const { project, changed } = await this.deps.store.transaction(async (tx) => {
      const p = await tx.getProject(id);
      if (!p) throw new NotFoundError('project', id);
      if (FINISHED_PROJECT_STATUSES.includes(p.status) && p.completedAt !== null) return { project: p, changed: false };
      // A status written by hand wins over the one asked for: it is what the user meant.
      const finalStatus = (FINISHED_PROJECT_STATUSES.includes(p.status) ? p.status : status) as FinishedStatus;
      const next: Project = { ...p, status: finalStatus, completedAt: at, updatedAt: at, statusReason: reason ?? p.statusReason };
      await tx.updateProject(next);
      await tx.appendEvents([{ type: `project:${finalStatus}`, data: next }], now);
      return { project: next, changed: true };
    });
    if (!changed) return project;
    this.deps.log.info({ projectId: id, status: project.status, reason }, 'project finished');
    await this.endSessionsOf(id);
    return project;
  }

  /**
   * Deletes a project with everything in it, in one transaction: each of its sessions with the full
   * cascade of a session delete (docs/design.md §Lifecycle guarantees (G1); `session:deleted` with reason
   * `project_deleted`), then its tasks with their timelines (`task:deleted`), then the project
   * (`project:deleted`). Then, as a session delete does, live sessions' tmux sessions are killed and
   * their worktrees released. A running project's slot is freed for the queue.
   * @throws NotFoundError
   */
  async delete(id: string): Promise<ProjectDeletion> {
    const now = this.deps.clock.now();
    const { sessions, tasks } = await this.deps.store.transaction(async (tx) => {
      const project = await tx.getProject(id);
      if (!project) throw new NotFoundError('project', id);
      const deleted = [];
      for (;;) {
        const batch = await tx.listSessions({ projectId: id, limit: DELETE_BATCH });
        for (const s of batch) await deleteSessionInTx(tx, s, 'project_deleted', now);
        deleted.push(...batch);
        if (batch.length < DELETE_BATCH) break;
      }
      let taskCount = 0;
      for (;;) {
        const batch = await tx.listTasks({ projectId: id, limit: DELETE_BATCH });
        for (const t of batch) await deleteTaskInTx(tx, t, now);
        taskCount += batch.length;
        if (batch.length < DELETE_BATCH) break;
      }
      await tx.deleteProject(id);
      await tx.appendEvents([{ type: 'project:deleted', data: { id, name: project.name } }], now);
      return { sessions: deleted, tasks: taskCount };
    });
    let killed = 0;
    for (const s of sessions) if (await this.deps.sessions.lifecycle.releaseRuntime(s)) killed++;
    this.deps.log.info({ projectId: id, sessions: sessions.length, killed, tasks }, 'project deleted');
    return { id, sessions: sessions.length, killed, tasks };
  }

  /** Ends every live session of a project (reason `killed`); returns how many. */
  async endSessionsOf(projectId: string): Promise<number> {
    const { sessions } = await this.deps.sessions.list({ projectId, active: true, limit: 1000 });
    let ended = 0;
    for (const s of sessions) {
      try {
        await this.deps.sessions.end(s.id, 'killed');
        ended++;
      } catch (err) {
        if (!isAlreadyGone(err)) throw err;
      }
    }
    return ended;
  }

  /** The queue: running projects, then queued ones in start order. */
  async queue(): Promise<QueueView> {
    const [running, queued, paused] = await Promise.all([
      this.deps.store.listProjectsByStatus(['running']),
      this.deps.store.listProjectsByStatus(['queued']),
      this.isPaused(),
    ]);
    return { paused, running, queued };
  }

  /** Whether the scheduler is paused (queued projects wait). */
  async isPaused(): Promise<boolean> {
    return (await this.deps.store.getMeta(PAUSED_KEY)) === '1';
  }

  /** Pauses or resumes the scheduler; persisted across restarts, and told as `queue:paused` / `queue:resumed`. */
  async setPaused(paused: boolean): Promise<QueueView> {
    const now = this.deps.clock.now();
    await this.deps.store.transaction(async (tx) => {
      await tx.setMeta(PAUSED_KEY, paused ? '1' : '0');
      await tx.appendEvents(
        [paused ? { type: 'queue:paused', data: { paused: true } } : { type: 'queue:resumed', data: { paused: false } }],
        now,
      );
    });
    this.deps.log.info({ paused }, paused ? 'queue paused' : 'queue resumed');
    return this.queue();
  }

  /**
   * Takes the next queued project and marks it running (atomically), appending `project:started`.
   * Undefined when the queue is empty.
   */
  async startNext(): Promise<Project | undefined> {
    const now = this.deps.clock.now();
    const project = await this.deps.store.transaction(async (tx) => {
      const p = await tx.dequeueProject(now);
      if (p) await tx.appendEvents([{ type: 'project:started', data: p }], now);
      return p;
    });
    if (project) this.deps.log.info({ projectId: project.id, priority: project.priority }, 'project started');
    return project;
  }

  /** Puts a project the scheduler could not start back in the queue, keeping its place. */
  async requeue(id: string, reason: string): Promise<Project> {
    return this.change(id, 'project:queued', (p) => ({
      ...p,
      status: 'queued',
      scheduled: false,
      startedAt: null,
      statusReason: reason,
    }));
  }

  private async change(id: string, type: 'project:queued', apply: (p: Project, at: string) => Project): Promise<Project> {
    const now = this.deps.clock.now();
    const at = new Date(now).toISOString();
    return this.deps.store.transaction(async (tx) => {
      const p = await tx.getProject(id);
      if (!p) throw new NotFoundError('project', id);
      const next = { ...apply(p, at), updatedAt: at };
      await tx.updateProject(next);
      await tx.appendEvents([{ type, data: next }], now);
      return next;
    });
  }
}
