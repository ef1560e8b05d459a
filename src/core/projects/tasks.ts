import {
  type CreateTaskInput,
  createTaskInput,
  type ListTasksQuery,
  listTasksQuery,
  NotFoundError,
  newId,
  parseInput,
  type Task,
  type TaskNoteInput,
  type TaskSummary,
  type TimelineEntry,
  taskNoteInput,
  type UpdateTaskInput,
  updateTaskInput,
  ValidationError,
  withStatus,
} from '../../domain/index.js';
import type { StoreTx } from '../../store/index.js';
import type { CoreDeps } from '../deps.js';
import { moveTask } from './task-status.js';

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
      if (data.parentId) await requireParent(tx, id, data.projectId, data.parentId);
      const fresh = { status: 'todo' as const, statusBy: null, startedAt: null, completedAt: null };
      const row = {
        id,
        projectId: data.projectId,
        parentId: data.parentId ?? null,
        title: data.title,
        description: data.description,
        priority: data.priority,
        createdAt: at,
        updatedAt: at,
        // Its times follow the status it starts in; none was set by a person afterwards.
        ...withStatus(fresh, data.status, 'maestro', at),
        statusBy: null,
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

  /**
   * Tasks matching the query, highest priority first, then newest first: summaries (no description,
   * no timeline), or whole tasks with `view: 'full'`.
   * @throws ValidationError on a bad query
   */
  async list(query: ListTasksQuery = {}): Promise<Task[] | TaskSummary[]> {
    const { view, ...filter } = parseInput(listTasksQuery, query, 'query');
    const tasks = await this.deps.store.listTasks({ ...filter, withTimeline: view === 'full' });
    return view === 'full' ? tasks : tasks.map(({ description: _d, timeline: _t, ...summary }) => summary);
  }

  /**
   * The direct subtasks of a task, in list order (at most 1,000).
   * @throws NotFoundError when the task does not exist
   */
  async children(id: string): Promise<Task[]> {
    await this.get(id);
    return this.deps.store.listTasks({ parentId: id, limit: 1000 });
  }

  /**
   * Updates title, description, priority, parent or status. A status change records who made it
   * (`statusBy: person`: Maestro moves it no more by itself, docs/design.md §Task status), sets
   * `startedAt` / `completedAt` and appends `status_changed` to the timeline.
   * @throws ValidationError on bad input or a parent that is missing, of another project, the task
   *   itself or one of its subtasks; NotFoundError when the task does not exist
   */
  async update(id: string, input: UpdateTaskInput): Promise<Task> {
    const patch = parseInput(updateTaskInput, input, 'body');
    const now = this.deps.clock.now();
    const at = new Date(now).toISOString();
    return this.deps.store.transaction(async (tx) => {
      const task = await tx.getTask(id);
      if (!task) throw new NotFoundError('task', id);
      if (patch.parentId) await requireParent(tx, id, task.projectId, patch.parentId);
      const { status, ...fields } = definedOnly(patch);
      const { sessionIds: _s, timeline: _t, ...row } = task;
      await tx.updateTask({ ...row, ...fields, updatedAt: at });
      const edited = (await tx.getTask(id)) as Task;
      if (status && status !== task.status) {
        const moved = await moveTask(tx, edited, status, 'person', now);
        await tx.appendEvents([moved], now);
        return moved.data as Task;
      }
      await tx.appendEvents([{ type: 'task:updated', data: edited }], now);
      return edited;
    });
  }

  /**
   * Appends a person's note to a task's timeline (`note`, `data: {message}`) and `task:updated`.
   * @throws ValidationError on an empty or oversized message; NotFoundError
   */
  async note(id: string, input: TaskNoteInput): Promise<TimelineEntry> {
    const { message } = parseInput(taskNoteInput, input, 'body');
    const now = this.deps.clock.now();
    const entry: TimelineEntry = { id: newId('event'), type: 'note', timestamp: new Date(now).toISOString(), data: { message } };
    await this.deps.store.transaction(async (tx) => {
      if (!(await tx.getTask(id))) throw new NotFoundError('task', id);
      await tx.appendTimeline(id, entry);
      await tx.appendEvents([{ type: 'task:updated', data: (await tx.getTask(id)) as Task }], now);
    });
    return entry;
  }

  /**
   * Deletes a task and its subtasks, all levels down, each with its timeline and its links to
   * sessions (each linked session gets `session:task_removed`); the sessions themselves stay.
   * Returns how many tasks went.
   * @throws NotFoundError when the task does not exist
   */
  async delete(id: string): Promise<number> {
    const now = this.deps.clock.now();
    const count = await this.deps.store.transaction(async (tx) => {
      const task = await tx.getTask(id);
      if (!task) throw new NotFoundError('task', id);
      const doomed = [task];
      for (let i = 0; i < doomed.length; i++) {
        for (;;) {
          const children = await tx.listTasks({ parentId: (doomed[i] as Task).id, limit: 1000 });
          doomed.push(...children);
          if (children.length < 1000) break;
        }
      }
      for (const t of doomed) await deleteTaskInTx(tx, t, now);
      return doomed.length;
    });
    this.deps.log.info({ taskId: id, tasks: count }, 'task deleted');
    return count;
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

/**
 * Checks that `parentId` may be the parent of task `id`: it exists, is in `projectId`, and is
 * neither the task itself nor one of its subtasks (which would make a cycle).
 * @throws ValidationError naming `body.parentId`
 */
async function requireParent(tx: StoreTx, id: string, projectId: string, parentId: string): Promise<void> {
  const refuse = (message: string) => new ValidationError([{ path: 'body.parentId', message }]);
  const seen = new Set<string>();
  for (let ancestor: string | null = parentId; ancestor !== null; ) {
    if (ancestor === id)
      throw refuse(
        `task ${parentId} is ${parentId === id ? 'this task' : 'a subtask of this task'}: a task cannot be its own ancestor`,
      );
    if (seen.has(ancestor)) break; // a cycle already stored; not this task's
    seen.add(ancestor);
    const task: Task | undefined = await tx.getTask(ancestor);
    if (!task) throw refuse(`task ${ancestor} does not exist`);
    if (ancestor === parentId && task.projectId !== projectId)
      throw refuse(`task ${parentId} belongs to project ${task.projectId}, not ${projectId}`);
    ancestor = task.parentId;
  }
}

/** The fields of `patch` that were given (drops `undefined`). */
export function definedOnly<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<T>;
}
