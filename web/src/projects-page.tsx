import { useState } from 'react';
import type { Project } from '../../src/client/index.js';
import { useAct, useLive, useLiveState } from './context.js';
import { ConfirmButton, Modal } from './dialog.js';
import { ProjectForm } from './project-form.js';

/** Queued projects in the order the scheduler starts them: higher priority first, then the longest queued. */
export function queueOrder(projects: Iterable<Project>): Project[] {
  return [...projects]
    .filter((p) => p.status === 'queued')
    .sort((a, b) => b.priority - a.priority || (a.queuedAt ?? '').localeCompare(b.queuedAt ?? ''));
}

const STATUS_TONE: Record<Project['status'], string> = {
  running: 'state-working',
  queued: 'state-waiting',
  completed: 'state-ended',
  failed: 'state-failed',
  cancelled: 'state-ended',
};

/** Projects: create and edit them, and run the queue (pause, resume, reorder by priority, complete, cancel, delete). */
export function ProjectsPage() {
  const live = useLive();
  const act = useAct();
  const { projects, paused, active, tasks } = useLiveState();
  const [editing, setEditing] = useState<Project | 'new' | null>(null);
  const queue = queueOrder(projects.values());
  const all = [...projects.values()].sort((a, b) => a.name.localeCompare(b.name));
  const liveCount = (id: string) => [...active.values()].filter((s) => s.projectId === id).length;
  const taskCount = (id: string) => [...tasks.values()].filter((t) => t.projectId === id).length;
  /** Moves queued project `at` one place (`-1` up): its priority goes just past its neighbour's. */
  const move = (at: number, step: -1 | 1) => {
    const p = queue[at] as Project;
    const other = queue[at + step];
    if (!other) return;
    void act(() => live.client.projects.update(p.id, { priority: other.priority - step }));
  };

  return (
    <section className="page" aria-labelledby="projects-title">
      <div className="toolbar">
        <h1 id="projects-title">Projects</h1>
        <span className={`badge ${paused ? 'state-waiting' : 'state-working'}`} data-queue-state>
          queue {paused ? 'paused' : 'running'}
        </span>
        <button type="button" onClick={() => act(() => live.setQueuePaused(!paused))}>
          {paused ? 'Resume queue' : 'Pause queue'}
        </button>
        <span className="spacer" />
        <button type="button" className="primary" onClick={() => setEditing('new')}>
          New project
        </button>
      </div>
      {queue.length > 0 ? (
        <section aria-labelledby="queue-title" className="panel">
          <h2 id="queue-title">Queue</h2>
          <ol className="queue" data-queue>
            {queue.map((p, i) => (
              <li key={p.id} data-queued={p.id}>
                <span className="name">{p.name}</span> <span className="muted">priority {p.priority}</span>
                <span className="spacer" />
                <button type="button" aria-label={`Move ${p.name} up`} disabled={i === 0} onClick={() => move(i, -1)}>
                  ↑
                </button>
                <button
                  type="button"
                  aria-label={`Move ${p.name} down`}
                  disabled={i === queue.length - 1}
                  onClick={() => move(i, 1)}
                >
                  ↓
                </button>
              </li>
            ))}
          </ol>
        </section>
      ) : null}
      {all.length === 0 ? (
        <p className="muted empty">No projects yet: “New project” names a repository for sessions to work in.</p>
      ) : (
        <table className="grid-table">
          <caption className="sr-only">Projects</caption>
          <thead>
            <tr>
              <th scope="col">Project</th>
              <th scope="col">Status</th>
              <th scope="col">Priority</th>
              <th scope="col">Live sessions</th>
              <th scope="col">Tasks</th>
              <th scope="col">Repository</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {all.map((p) => (
              <tr key={p.id} id={p.id} data-project={p.id}>
                <th scope="row">
                  {p.name}
                  {p.description ? <div className="muted small">{p.description}</div> : null}
                </th>
                <td>
                  <span className={`badge ${STATUS_TONE[p.status]}`}>{p.status}</span>
                </td>
                <td className="num">{p.priority}</td>
                <td className="num">{liveCount(p.id)}</td>
                <td className="num">{taskCount(p.id)}</td>
                <td>
                  <code className="small">{p.repoPath}</code>
                </td>
                <td>
                  <div className="row">
                    <button type="button" aria-label={`Edit ${p.name}`} onClick={() => setEditing(p)}>
                      Edit
                    </button>
                    {p.status === 'queued' || p.status === 'running' ? null : (
                      <button type="button" onClick={() => act(() => live.client.projects.enqueue(p.id))}>
                        Enqueue
                      </button>
                    )}
                    {p.status === 'queued' || p.status === 'running' ? (
                      <>
                        <button type="button" onClick={() => act(() => live.client.projects.complete(p.id))}>
                          Complete
                        </button>
                        <button type="button" onClick={() => act(() => live.client.projects.cancel(p.id))}>
                          Cancel
                        </button>
                      </>
                    ) : null}
                    <ConfirmButton
                      label="Delete"
                      title={`Delete project ${p.name}`}
                      question={`Delete ${p.name} with every session and task in it? ${liveCount(p.id)} live session(s) are killed, ${taskCount(p.id)} task(s) go.`}
                      confirm="Confirm delete"
                      onConfirm={() => act(() => live.client.projects.delete(p.id))}
                    />
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Modal
        open={editing !== null}
        onOpenChange={(open) => setEditing(open ? editing : null)}
        title={editing === 'new' || editing === null ? 'New project' : `Edit ${editing.name}`}
      >
        {editing === null ? null : (
          <ProjectForm project={editing === 'new' ? undefined : editing} onDone={() => setEditing(null)} />
        )}
      </Modal>
    </section>
  );
}
