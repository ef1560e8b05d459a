import { type FormEvent, useState } from 'react';
import { Link } from 'react-router';
import type { Task } from '../../src/client/index.js';
import { useAct, useLive, useLiveState } from './context.js';
import { Modal } from './dialog.js';
import { TaskForm } from './task-form.js';

type Editing = { kind: 'new'; parentId?: string } | { kind: 'edit'; task: Task } | { kind: 'note'; task: Task } | null;

const STATUS_TONE: Record<Task['status'], string> = {
  todo: 'state-idle',
  in_progress: 'state-working',
  in_review: 'state-waiting',
  blocked: 'state-failed',
  done: 'state-ended',
  cancelled: 'state-ended',
};

/** Adds a person's note to a task's timeline. */
function NoteForm({ task, onDone }: { task: Task; onDone: () => void }) {
  const live = useLive();
  const act = useAct();
  const [message, setMessage] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void act(async () => {
      await live.client.tasks.note(task.id, message);
      onDone();
    });
  };
  return (
    <form className="form" onSubmit={submit}>
      <label htmlFor="note-text">Note</label>
      <textarea id="note-text" rows={3} required value={message} onChange={(e) => setMessage(e.target.value)} />
      <span />
      <div className="row">
        <button type="submit" className="primary">
          Add note
        </button>
      </div>
    </form>
  );
}

/** One task and, nested under it, its subtasks (highest priority first). */
function TaskNode({ task, tree, edit }: { task: Task; tree: Map<string | null, Task[]>; edit: (e: Editing) => void }) {
  const { active } = useLiveState();
  const live = task.sessionIds.filter((id) => active.has(id));
  const subtasks = tree.get(task.id) ?? [];
  return (
    <li data-task={task.id}>
      <div className="task-line">
        <span className={`badge ${STATUS_TONE[task.status]}`}>{task.status.replace('_', ' ')}</span>
        <span className="name">{task.title}</span>
        <span className="muted small">
          priority {task.priority} · <span data-active-sessions>{live.length} live</span> / {task.sessionIds.length} sessions
        </span>
        {live.map((id) => (
          <Link key={id} to={`/sessions/${id}`} className="small">
            {active.get(id)?.name ?? id}
          </Link>
        ))}
        <span className="spacer" />
        <button type="button" className="small" aria-label={`Edit ${task.title}`} onClick={() => edit({ kind: 'edit', task })}>
          Edit
        </button>
        <button
          type="button"
          className="small"
          aria-label={`Add a subtask to ${task.title}`}
          onClick={() => edit({ kind: 'new', parentId: task.id })}
        >
          + Subtask
        </button>
        <button type="button" className="small" aria-label={`Note on ${task.title}`} onClick={() => edit({ kind: 'note', task })}>
          Note
        </button>
      </div>
      {subtasks.length > 0 ? (
        <ul className="tree">
          {subtasks.map((t) => (
            <TaskNode key={t.id} task={t} tree={tree} edit={edit} />
          ))}
        </ul>
      ) : null}
    </li>
  );
}

/** Tasks as a tree per project, with forms to create, edit and annotate them. */
export function TasksPage() {
  const { tasks, projects } = useLiveState();
  const [editing, setEditing] = useState<Editing>(null);
  const children = new Map<string | null, Task[]>();
  for (const t of [...tasks.values()].sort((a, b) => b.priority - a.priority || a.createdAt.localeCompare(b.createdAt))) {
    // A subtask whose parent is not held shows at the top level.
    const parent = t.parentId && tasks.has(t.parentId) ? t.parentId : null;
    children.set(parent, [...(children.get(parent) ?? []), t]);
  }
  const byProject = new Map<string, Task[]>();
  for (const t of children.get(null) ?? []) byProject.set(t.projectId, [...(byProject.get(t.projectId) ?? []), t]);
  const title =
    editing?.kind === 'edit'
      ? `Edit ${editing.task.title}`
      : editing?.kind === 'note'
        ? `Note on ${editing.task.title}`
        : editing?.parentId
          ? `New subtask of ${tasks.get(editing.parentId)?.title ?? ''}`
          : 'New task';
  return (
    <section className="page" aria-labelledby="tasks-title">
      <div className="toolbar">
        <h1 id="tasks-title">Tasks</h1>
        <span className="spacer" />
        <button type="button" className="primary" onClick={() => setEditing({ kind: 'new' })}>
          New task
        </button>
      </div>
      {tasks.size === 0 ? <p className="muted empty">No tasks yet.</p> : null}
      {[...byProject.entries()].map(([projectId, top]) => (
        <section key={projectId} className="panel" aria-labelledby={`tasks-${projectId}`}>
          <h2 id={`tasks-${projectId}`}>{projects.get(projectId)?.name ?? projectId}</h2>
          <ul className="tree root">
            {top.map((t) => (
              <TaskNode key={t.id} task={t} tree={children} edit={setEditing} />
            ))}
          </ul>
        </section>
      ))}
      <Modal open={editing !== null} onOpenChange={(open) => setEditing(open ? editing : null)} title={title}>
        {editing?.kind === 'note' ? (
          <NoteForm task={editing.task} onDone={() => setEditing(null)} />
        ) : editing ? (
          <TaskForm
            task={editing.kind === 'edit' ? editing.task : undefined}
            parentId={editing.kind === 'new' ? editing.parentId : undefined}
            onDone={() => setEditing(null)}
          />
        ) : null}
      </Modal>
    </section>
  );
}
