import {
  type CreateTaskInput,
  createTaskInput,
  type ListTasksQuery,
  listTasksQuery,
  NotFoundError,
  newId,
  parseInput,
  type Task,
  type UpdateTaskInput,
  updateTaskInput,
  ValidationError,
} from '../../domain/index.js';
import type { StoreTx } from '../../store/index.js';
import type { CoreDeps } from '../deps.js';

/** Tasks of a project, with their timelines and linked sessions. */
export class TaskService {
  constructor(private readonly deps: CoreDeps) {}

  /**
   * Creates a task in an existing project; its timeline starts with `created`.
   * @throws ValidationError on bad input or an unknown project; ConflictError when a client-given id exists
   */
  async create(input: CreateTaskInput): Promise<Task> {
    const data = parseInput(createTaskInput, input, 'body');
    const now = this.deps.clock.now();
    const at = new Date(now).toISOString();
    const id = data.id ?? newId('task');
    const task = await this.deps.store.transaction(async (tx) => {
      await requireProject(tx, data.projectId);
      const row = {
        id,
        projectId: data.projectId,
        title: data.title,
        description: data.description,
        status: data.status,
        createdAt: at,
        updatedAt: at,
      };
      await tx.insertTask(row);
      await tx.appendTimeline(id, { id: newId('event'), type: 'created', timestamp: at });
      const created = (await tx.getTask(id)) as Task;
      await tx.appendEvents([{ type: 'task:created', data: created }], now);
      return created;
    });
    this.deps.log.info({ taskId: id, projectId: data.projectId }, 'task created');
    return task;
  }

  /** @throws NotFoundError when no task has this id */
  async get(id: string): Promise<Task> {
    const task = await this.deps.store.getTask(id);
    if (!task) throw new NotFoundError('task', id);
    return task;
  }

  /** Tasks matching the query, newest first. @throws ValidationError on a bad query */
  list(query: ListTasksQuery = {}): Promise<Task[]> {
    return this.deps.store.listTasks(parseInput(listTasksQuery, query, 'query'));
  }

  /**
   * Updates title, description or status; a status change appends `status_changed` to the timeline.
   * @throws ValidationError on bad input; NotFoundError when the task does not exist
   */
  async update(id: string, input: UpdateTaskInput): Promise<Task> {
    const patch = parseInput(updateTaskInput, input, 'body');
    const now = this.deps.clock.now();
    const at = new Date(now).toISOString();
    return this.deps.store.transaction(async (tx) => {
      const task = await tx.getTask(id);
      if (!task) throw new NotFoundError('task', id);
      const { sessionIds: _s, timeline: _t, ...row } = task;
      await tx.updateTask({ ...row, ...definedOnly(patch), updatedAt: at });
      if (patch.status && patch.status !== task.status) {
        await tx.appendTimeline(id, {
          id: newId('event'),
          type: 'status_changed',
          timestamp: at,
          data: { from: task.status, to: patch.status },
        });
      }
      const updated = (await tx.getTask(id)) as Task;
      await tx.appendEvents([{ type: 'task:updated', data: updated }], now);
      return updated;
    });
  }

  /**
   * Deletes a task, its timeline and its links to sessions (each linked session gets
   * `session:task_removed`); the sessions themselves stay.
   * @throws NotFoundError when the task does not exist
   */
  async delete(id: string): Promise<void> {
    const now = this.deps.clock.now();
    await this.deps.store.transaction(async (tx) => {
      const task = await tx.getTask(id);
      if (!task) throw new NotFoundError('task', id);
      await deleteTaskInTx(tx, task, now);
    });
    this.deps.log.info({ taskId: id }, 'task deleted');
  }
}

/**
 * Deletes `task` inside `tx` with its timeline and its session links, appending
 * `session:task_removed` for each linked session and `task:deleted`. `nowMs` is in milliseconds
 * since the epoch.
 */
export async function deleteTaskInTx(tx: StoreTx, task: Task, nowMs: number): Promise<void> {
  await tx.deleteTask(task.id);
  await tx.appendEvents(
    [
      ...task.sessionIds.map((sessionId) => ({ type: 'session:task_removed' as const, data: { sessionId, taskId: task.id } })),
      { type: 'task:deleted', data: { id: task.id, projectId: task.projectId } },
    ],
    nowMs,
  );
}

/**
 * @throws ValidationError (field `body.projectId`) when the project does not exist: a reference in
 * the body is bad input, not a missing resource at the URL.
 */
export async function requireProject(tx: StoreTx, projectId: string): Promise<void> {
  if (!(await tx.getProject(projectId))) {
    throw new ValidationError([{ path: 'body.projectId', message: `project ${projectId} does not exist` }]);
  }
}

/** The fields of `patch` that were given (drops `undefined`). */
export function definedOnly<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<T>;
}
