import { Fragment, useState } from 'react';
import { type Project, type Session, sessionStatusLabel, type Task } from '../../src/client/index.js';
import { AgentStateBadge } from './agent-state.js';
import { age, statusClass } from './format.js';

/** Whether `s` matches the words of `query` (each in its name, id, status, phase, end reason or project name). */
function matches(s: Session, query: string, projects: ReadonlyMap<string, Project>): boolean {
  const text = [s.name, s.id, s.status, s.phase, s.endReason, projects.get(s.projectId)?.name].join(' ').toLowerCase();
  return query
    .toLowerCase()
    .split(/\s+/)
    .every((word) => text.includes(word));
}

/** Sessions, live ones first, each row expandable to its tasks; filtered by words and by project. */
export function SessionsView({
  sessions,
  tasks,
  projects,
  now,
  onOpen,
}: {
  sessions: Session[];
  tasks: ReadonlyMap<string, Task>;
  projects: ReadonlyMap<string, Project>;
  now: number;
  onOpen: (id: string) => void;
}) {
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const [query, setQuery] = useState('');
  const [projectId, setProjectId] = useState('');
  if (sessions.length === 0)
    return (
      <p className="muted">
        No sessions. Spawn one above, or run <code>maestro session spawn</code>.
      </p>
    );
  const shown = sessions.filter((s) => (!projectId || s.projectId === projectId) && matches(s, query.trim(), projects));
  const filters = (
    <div className="row filters">
      <label>
        Filter{' '}
        <input
          type="search"
          value={query}
          placeholder="name, id, status, phase, reason, project"
          onChange={(e) => setQuery(e.target.value)}
        />
      </label>
      <label>
        Project{' '}
        <select value={projectId} onChange={(e) => setProjectId(e.target.value)}>
          <option value="">all</option>
          {[...projects.values()].map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </select>
      </label>
      <span className="muted" data-shown>
        {shown.length} of {sessions.length}
      </span>
    </div>
  );
  if (shown.length === 0)
    return (
      <>
        {filters}
        <p className="muted">No session matches.</p>
      </>
    );
  const sorted = [...shown].sort(
    (a, b) => Number(a.completedAt !== null) - Number(b.completedAt !== null) || b.createdAt.localeCompare(a.createdAt),
  );
  const toggle = (id: string) => setOpen((prev) => new Set(prev.has(id) ? [...prev].filter((x) => x !== id) : [...prev, id]));
  return (
    <>
      {filters}
      <table className="sessions">
        <thead>
          <tr>
            <th scope="col">State</th>
            <th scope="col">Session</th>
            <th scope="col">Status</th>
            <th scope="col">Phase</th>
            <th scope="col">Age</th>
            <th scope="col">Last activity</th>
            <th scope="col">Tasks</th>
          </tr>
        </thead>
        <tbody>
          {sorted.map((s) => (
            <Fragment key={s.id}>
              <tr data-session={s.id} className={s.completedAt ? 'ended' : s.agentState === 'waiting' ? 'live waiting' : 'live'}>
                <td>
                  <AgentStateBadge session={s} now={now} />
                </td>
                <td>
                  <button type="button" className="link" onClick={() => onOpen(s.id)}>
                    {s.name}
                  </button>
                </td>
                <td>
                  <span className={statusClass(s.status)}>{sessionStatusLabel(s)}</span>
                  {s.endReason ? (
                    <span className="muted">
                      {' '}
                      {s.endReason}
                      {s.runtime.exitCode !== null ? ` (exit ${s.runtime.exitCode})` : ''}
                    </span>
                  ) : null}
                </td>
                <td>{s.phase ?? '—'}</td>
                <td>{age(s.createdAt, now)}</td>
                <td>{age(s.lastActivityAt, now)} ago</td>
                <td>
                  <button type="button" className="link" aria-expanded={open.has(s.id)} onClick={() => toggle(s.id)}>
                    {s.taskIds.length} {open.has(s.id) ? '▾' : '▸'}
                  </button>
                </td>
              </tr>
              {open.has(s.id) ? (
                <tr className="detail">
                  <td colSpan={7}>
                    {s.taskIds.length === 0 ? 'No tasks.' : s.taskIds.map((id) => tasks.get(id)?.title ?? id).join(' · ')}
                  </td>
                </tr>
              ) : null}
            </Fragment>
          ))}
        </tbody>
      </table>
    </>
  );
}
