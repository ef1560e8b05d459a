import { type FormEvent, useState } from 'react';
import type { Task, TaskStatus } from '../../src/client/index.js';
import { useAct, useLive, useLiveState } from './context.js';

export const TASK_STATUSES: readonly TaskStatus[] = ['todo', 'in_progress', 'in_review', 'blocked', 'done', 'cancelled'];

/** Creates a task (or a subtask of `parentId`), or edits `task`: title, description, status, priority, parent. */
export function TaskForm({ task, parentId, onDone }: { task?: Task; parentId?: string; onDone: () => void }) {
  const live = useLive();
  const act = useAct();
  const { projects, tasks } = useLiveState();
  const parentTask = parentId ? tasks.get(parentId) : undefined;
  const [projectId, setProjectId] = useState(task?.projectId ?? parentTask?.projectId ?? '');
  const [parent, setParent] = useState(task?.parentId ?? parentId ?? '');
  const [title, setTitle] = useState(task?.title ?? '');
  const [description, setDescription] = useState(task?.description ?? '');
  const [status, setStatus] = useState<TaskStatus>(task?.status ?? 'todo');
  const [priority, setPriority] = useState(String(task?.priority ?? 0));
  // A task may not go under itself or its own subtasks.
  const below = new Set<string>();
  if (task) {
    const walk = (id: string) => {
      below.add(id);
      for (const t of tasks.values()) if (t.parentId === id) walk(t.id);
    };
    walk(task.id);
  }
  const parents = [...tasks.values()].filter((t) => t.projectId === projectId && !below.has(t.id));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void act(async () => {
      const common = { title: title.trim(), description, status, priority: Number(priority) };
      if (task) await live.client.tasks.update(task.id, { ...common, parentId: parent || null });
      else await live.client.tasks.create({ ...common, projectId, ...(parent ? { parentId: parent } : {}) });
      onDone();
    });
  };
  return (
    <form className="form" onSubmit={submit} aria-label={task ? `Edit task ${task.title}` : 'New task'}>
      <label htmlFor="task-project">Project</label>
      <select
        id="task-project"
        required
        disabled={task !== undefined}
        value={projectId}
        onChange={(e) => {
          setProjectId(e.target.value);
          setParent('');
        }}
      >
        <option value="">choose a project…</option>
        {[...projects.values()].map((p) => (
          <option key={p.id} value={p.id}>
            {p.name}
          </option>
        ))}
      </select>
      <label htmlFor="task-parent">Subtask of</label>
      <select id="task-parent" value={parent} onChange={(e) => setParent(e.target.value)}>
        <option value="">none (top level)</option>
        {parents.map((t) => (
          <option key={t.id} value={t.id}>
            {t.title}
          </option>
        ))}
      </select>
      <label htmlFor="task-title">Title</label>
      <input id="task-title" required value={title} onChange={(e) => setTitle(e.target.value)} />
      <label htmlFor="task-description">Description</label>
      <textarea id="task-description" rows={3} value={description} onChange={(e) => setDescription(e.target.value)} />
      <label htmlFor="task-status">Status</label>
      <select id="task-status" value={status} onChange={(e) => setStatus(e.target.value as TaskStatus)}>
        {TASK_STATUSES.map((s) => (
          <option key={s} value={s}>
            {s.replace('_', ' ')}
          </option>
        ))}
      </select>
      <label htmlFor="task-priority">Priority</label>
      <input
        id="task-priority"
        type="number"
        min={-1000}
        max={1000}
        value={priority}
        onChange={(e) => setPriority(e.target.value)}
      />
      <span />
      <div className="row">
        <button type="submit" className="primary">
          {task ? 'Save' : 'Create task'}
        </button>
      </div>
    </form>
  );
}
