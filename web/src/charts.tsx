import type { Session, Task } from '../../src/client/index.js';

const COLORS = { live: '#1f6feb', completed: '#1a7f37', failed: '#cf222e' } as const;

/**
 * Sessions over time by status: for each of `buckets` moments between the oldest session and now,
 * how many were live, had completed, or had failed — as stacked bars.
 */
export function StatusChart({ sessions, now, buckets = 24 }: { sessions: Session[]; now: number; buckets?: number }) {
  if (sessions.length === 0) return <p className="muted">No sessions yet: spawn one to see the chart.</p>;
  const start = Math.min(...sessions.map((s) => Date.parse(s.createdAt)));
  const span = Math.max(now - start, 60_000);
  const width = 480;
  const height = 120;
  const bars = Array.from({ length: buckets }, (_, i) => {
    const t = start + (span * (i + 1)) / buckets;
    let live = 0;
    let completed = 0;
    let failed = 0;
    for (const s of sessions) {
      if (Date.parse(s.createdAt) > t) continue;
      const end = s.completedAt ? Date.parse(s.completedAt) : Number.POSITIVE_INFINITY;
      if (end > t) live++;
      else if (s.status === 'completed') completed++;
      else failed++;
    }
    return { t, live, completed, failed };
  });
  const max = Math.max(1, ...bars.map((b) => b.live + b.completed + b.failed));
  const w = width / buckets;
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label="Sessions over time by status">
        {bars.map((b, i) => {
          let y = height;
          return (['failed', 'completed', 'live'] as const).map((k) => {
            const h = (b[k] / max) * (height - 10);
            y -= h;
            return h > 0 ? <rect key={`${b.t}-${k}`} x={i * w + 1} y={y} width={w - 2} height={h} fill={COLORS[k]} /> : null;
          });
        })}
      </svg>
      <figcaption>
        Sessions over time — <span style={{ color: COLORS.live }}>■ live</span>{' '}
        <span style={{ color: COLORS.completed }}>■ completed</span> <span style={{ color: COLORS.failed }}>■ failed</span> (peak{' '}
        {max})
      </figcaption>
    </figure>
  );
}

/** A Gantt-like timeline: one row per task, one bar per session from its start to its end (or now). */
export function TaskGantt({ tasks, sessions, now }: { tasks: Task[]; sessions: ReadonlyMap<string, Session>; now: number }) {
  const rows = tasks
    .map((t) => ({ task: t, bars: t.sessionIds.map((id) => sessions.get(id)).filter((s): s is Session => s !== undefined) }))
    .filter((r) => r.bars.length > 0);
  if (rows.length === 0) return <p className="muted">No task has sessions yet.</p>;
  const all = rows.flatMap((r) => r.bars);
  const start = Math.min(...all.map((s) => Date.parse(s.createdAt)));
  const span = Math.max(now - start, 60_000);
  const width = 480;
  const rowH = 22;
  const label = 140;
  const x = (t: number) => label + ((t - start) / span) * (width - label - 4);
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${width} ${rows.length * rowH + 4}`} role="img" aria-label="Sessions per task over time">
        {rows.map((r, i) => (
          <g key={r.task.id}>
            <text x={0} y={i * rowH + 15} fontSize="11" fill="currentColor">
              {r.task.title.slice(0, 22)}
            </text>
            {r.bars.map((s) => {
              const x0 = x(Date.parse(s.createdAt));
              const x1 = x(s.completedAt ? Date.parse(s.completedAt) : now);
              const color = s.completedAt ? (s.status === 'completed' ? COLORS.completed : COLORS.failed) : COLORS.live;
              return (
                <rect key={s.id} x={x0} y={i * rowH + 4} width={Math.max(2, x1 - x0)} height={rowH - 8} fill={color}>
                  <title>{`${s.name}: ${s.status}`}</title>
                </rect>
              );
            })}
          </g>
        ))}
      </svg>
      <figcaption>Sessions per task</figcaption>
    </figure>
  );
}
