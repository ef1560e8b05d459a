import { useState } from 'react';
import { MaestroApiError, type Project, type Session, type Task } from '../../src/client/index.js';
import { statusClass } from './format.js';
import type { Live } from './live.js';

/** The colour class of a project status (the session palette: live, done, waiting, failed). */
const projectClass = (status: Project['status']) =>
  statusClass(
    status === 'running' ? 'running' : status === 'completed' ? 'completed' : status === 'queued' ? 'paused' : 'failed',
  );

/** Projects with their status and queue position; each can be deleted with all it holds, after confirmation. */
export function ProjectsPanel({
  live,
  projects,
  queued,
  paused,
  sessions,
  tasks,
  onError,
}: {
  live: Live;
  projects: Project[];
  /** Queued projects in start order. */
  queued: Project[];
  paused: boolean;
  sessions: ReadonlyMap<string, Session>;
  tasks: ReadonlyMap<string, Task>;
  onError: (message: string) => void;
}) {
  const [confirming, setConfirming] = useState<string | null>(null);
  const remove = async (id: string) => {
    try {
      await live.client.projects.delete(id);
      setConfirming(null);
    } catch (err) {
      onError(err instanceof MaestroApiError ? err.message : String(err));
    }
  };
  // What a delete takes with it, as far as this page knows (it holds live and recent sessions).
  const holds = (id: string) => {
    const own = [...sessions.values()].filter((s) => s.projectId === id);
    const running = own.filter((s) => !s.completedAt).length;
    const taskCount = [...tasks.values()].filter((t) => t.projectId === id).length;
    return `${running} running session${running === 1 ? '' : 's'} (killed), ${taskCount} task${taskCount === 1 ? '' : 's'}`;
  };
  return (
    <section className="panel" aria-label="Projects">
      <h2>Projects {paused ? <span className="badge warn">queue paused</span> : null}</h2>
      {projects.length === 0 ? (
        <p className="muted">No projects.</p>
      ) : (
        <ul className="plain">
          {projects.map((p) => {
            const position = queued.findIndex((q) => q.id === p.id);
            return (
              <li key={p.id} data-project={p.id}>
                <span className={projectClass(p.status)}>{p.status}</span> {p.name}
                {position >= 0 ? <span className="muted"> · #{position + 1} in queue</span> : null}{' '}
                {confirming === p.id ? (
                  <span className="confirm">
                    Delete {p.name} with every session and task? {holds(p.id)}.{' '}
                    <button type="button" className="danger" onClick={() => void remove(p.id)}>
                      Confirm delete
                    </button>
                    <button type="button" onClick={() => setConfirming(null)}>
                      Keep
                    </button>
                  </span>
                ) : (
                  <button
                    type="button"
                    className="link danger"
                    aria-label={`Delete project ${p.name}`}
                    onClick={() => setConfirming(p.id)}
                  >
                    delete
                  </button>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
