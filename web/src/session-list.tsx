import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useEffect, useRef } from 'react';
import { Link } from 'react-router';
import type { SessionSummary, Task } from '../../src/client/index.js';
import { money } from './format.js';
import { RelTime } from './rel-time.js';
import type { Row } from './rows.js';
import { StateBadge } from './state-badge.js';

/** Every row is this tall (px): the virtualiser places rows without measuring them. */
const ROW_HEIGHT = 36;

/** The titles of a session's tasks, or a dash. */
const taskTitles = (s: SessionSummary, tasks: ReadonlyMap<string, Task>) =>
  s.taskIds.length === 0 ? '—' : s.taskIds.map((id) => tasks.get(id)?.title ?? id).join(', ');

/** One session's cells; redrawn only when its summary (or the clock, or the tasks) change, not when another session's does. */
const SessionCells = memo(function SessionCells({
  s,
  tasks,
  now,
}: {
  s: SessionSummary;
  tasks: ReadonlyMap<string, Task>;
  now: number;
}) {
  return (
    <>
      <td>
        <StateBadge summary={s} />
      </td>
      <td className="name">
        <Link to={`/sessions/${s.id}`}>{s.name ?? s.id}</Link>
        {s.role === 'orchestrator' ? <span className="tag">orchestrator</span> : null}
      </td>
      <td className="ellipsis" title={taskTitles(s, tasks)}>
        {taskTitles(s, tasks)}
      </td>
      <td>
        <RelTime iso={s.createdAt} now={now} suffix={false} />
      </td>
      <td>
        <RelTime iso={s.completedAt ?? s.lastActivityAt} now={now} />
      </td>
      <td className="num">{money(s.costUsd)}</td>
    </>
  );
});

/**
 * The session list, virtualised (@tanstack/react-virtual): only the rows in view (and a few
 * around) are in the page, so 10,000 ended sessions cost what 30 do. A table (with its row count,
 * and each row's index, for assistive technology), drawn as fixed-height grid rows.
 */
export function SessionList({
  rows,
  tasks,
  now,
  selected,
  onToggleEnded,
}: {
  rows: Row[];
  tasks: ReadonlyMap<string, Task>;
  now: number;
  /** The index in `rows` of the row chosen with j/k, or -1. */
  selected: number;
  onToggleEnded: () => void;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
  });
  useEffect(() => {
    if (selected >= 0) virtual.scrollToIndex(selected, { align: 'auto' });
  }, [selected, virtual]);
  // For benchmarks and the curious: when rows were first on screen.
  const painted = useRef(false);
  useEffect(() => {
    if (!painted.current && rows.length > 0) {
      painted.current = true;
      performance.mark('maestro:sessions-painted');
    }
  }, [rows.length]);

  return (
    <div ref={scroller} className="scroller">
      <table aria-label="Sessions" aria-rowcount={rows.length + 1} className="session-table">
        <thead>
          <tr aria-rowindex={1} className="srow head">
            <th scope="col">State</th>
            <th scope="col">Session</th>
            <th scope="col">Task</th>
            <th scope="col">Age</th>
            <th scope="col">Last activity</th>
            <th scope="col" className="num">
              Cost
            </th>
          </tr>
        </thead>
        <tbody style={{ height: virtual.getTotalSize() }}>
          {virtual.getVirtualItems().map((item) => {
            const row = rows[item.index] as Row;
            const style = { transform: `translateY(${item.start}px)`, height: ROW_HEIGHT };
            const common = { 'aria-rowindex': item.index + 2, style };
            if (row.kind === 'project')
              return (
                <tr key={`p:${row.projectId}`} {...common} className="srow group" data-project-group={row.projectId}>
                  <td className="span" colSpan={6}>
                    <Link to={`/projects#${row.projectId}`}>{row.name}</Link>{' '}
                    <span className="muted">
                      {row.live} live{row.waiting > 0 ? ` · ${row.waiting} waiting` : ''}
                    </span>
                  </td>
                </tr>
              );
            if (row.kind === 'ended')
              return (
                <tr key="ended" {...common} className="srow group">
                  <td className="span" colSpan={6}>
                    <button type="button" className="link" aria-expanded={row.open} onClick={onToggleEnded} data-ended-toggle>
                      {row.open ? '▾' : '▸'} {row.count.toLocaleString()} ended
                    </button>
                  </td>
                </tr>
              );
            const s = row.summary;
            const ended = s.completedAt !== undefined;
            return (
              <tr
                key={s.id}
                {...common}
                data-session={s.id}
                aria-current={item.index === selected ? 'true' : undefined}
                className={`srow ${ended ? 'ended' : s.agentState === 'waiting' ? 'live waiting' : 'live'}${item.index === selected ? ' selected' : ''}`}
              >
                <SessionCells s={s} tasks={tasks} now={now} />
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
