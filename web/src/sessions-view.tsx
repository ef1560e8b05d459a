import { Fragment, useState } from 'react';
import type { Session, Task } from '../../src/client/index.js';
import { age, statusClass } from './format.js';

/** Sessions, live ones first, each row expandable to its tasks. */
export function SessionsView({
  sessions,
  tasks,
  now,
  onOpen,
}: {
  sessions: Session[];
  tasks: ReadonlyMap<string, Task>;
  now: number;
  onOpen: (id: string) => void;
}) {
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  if (sessions.length === 0)
    return (
      <p className="muted">
        No sessions. Spawn one above, or run <code>maestro session spawn</code>.
      </p>
    );
  const sorted = [...sessions].sort(
    (a, b) => Number(a.completedAt !== null) - Number(b.completedAt !== null) || b.createdAt.localeCompare(a.createdAt),
  );
  const toggle = (id: string) => setOpen((prev) => new Set(prev.has(id) ? [...prev].filter((x) => x !== id) : [...prev, id]));
  return (
    <table className="sessions">
      <thead>
        <tr>
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
            <tr data-session={s.id} className={s.completedAt ? 'ended' : s.needsInput.active ? 'live needs-input' : 'live'}>
              <td>
                <button type="button" className="link" onClick={() => onOpen(s.id)}>
                  {s.name}
                </button>
              </td>
              <td>
                <span className={statusClass(s.status)}>{s.status}</span>
                {!s.completedAt && s.needsInput.active ? (
                  <span className="badge warn" title={s.needsInput.message ?? ''}>
                    needs input: {s.needsInput.reason}
                  </span>
                ) : null}
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
                <td colSpan={6}>
                  {s.taskIds.length === 0 ? 'No tasks.' : s.taskIds.map((id) => tasks.get(id)?.title ?? id).join(' · ')}
                </td>
              </tr>
            ) : null}
          </Fragment>
        ))}
      </tbody>
    </table>
  );
}
