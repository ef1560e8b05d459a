import { useMemo } from 'react';
import type { SessionSummary, Task } from '../../src/client/index.js';
import { useLiveState, useNow } from './context.js';
import { exact } from './format.js';
import { type Series, TimeChart } from './time-chart.js';

/** Points per chart. */
const BUCKETS = 48;
/** Redraw the charts once a minute at most: they span hours. */
const MINUTE = 60_000;

const COLORS = { live: '#1f6feb', completed: '#1a7f37', failed: '#cf222e', cost: '#8250df' } as const;

/**
 * Sessions over time by state, and the cost spent: at each of {@link BUCKETS} moments between the
 * oldest session and now, how many were live, had completed, or had ended otherwise; and the
 * estimated cost of the sessions ended by then plus the live ones' so far.
 */
export function activitySeries(sessions: SessionSummary[], now: number): { times: number[]; states: Series[]; cost: Series[] } {
  const start = Math.min(now - MINUTE, ...sessions.map((s) => Date.parse(s.createdAt)));
  const step = (now - start) / (BUCKETS - 1);
  const times = Array.from({ length: BUCKETS }, (_, i) => start + step * i);
  const live = new Array<number>(BUCKETS).fill(0);
  const completed = new Array<number>(BUCKETS).fill(0);
  const failed = new Array<number>(BUCKETS).fill(0);
  const cost = new Array<number>(BUCKETS).fill(0);
  const bucket = (t: number) => Math.min(BUCKETS - 1, Math.max(0, Math.ceil((t - start) / step)));
  // Each session adds one to "live" from its start to its end, then to its end state: O(sessions + buckets).
  const liveDelta = new Array<number>(BUCKETS + 1).fill(0);
  const endedDelta = { completed: new Array<number>(BUCKETS + 1).fill(0), failed: new Array<number>(BUCKETS + 1).fill(0) };
  const costDelta = new Array<number>(BUCKETS + 1).fill(0);
  for (const s of sessions) {
    const from = bucket(Date.parse(s.createdAt));
    const to = s.completedAt ? bucket(Date.parse(s.completedAt)) : BUCKETS;
    (liveDelta[from] as number)++;
    (liveDelta[to] as number)--;
    if (s.completedAt) (endedDelta[s.endReason === 'completed' ? 'completed' : 'failed'][to] as number)++;
    costDelta[Math.min(to, BUCKETS - 1)] = (costDelta[Math.min(to, BUCKETS - 1)] as number) + (s.costUsd ?? 0);
  }
  let l = 0;
  let c = 0;
  let f = 0;
  let usd = 0;
  for (let i = 0; i < BUCKETS; i++) {
    l += liveDelta[i] as number;
    c += endedDelta.completed[i] as number;
    f += endedDelta.failed[i] as number;
    usd += costDelta[i] as number;
    live[i] = l;
    completed[i] = c;
    failed[i] = f;
    cost[i] = usd;
  }
  return {
    times: times.map((t) => t / 1000),
    states: [
      { label: 'live', color: COLORS.live, values: live },
      { label: 'done', color: COLORS.completed, values: completed },
      { label: 'stopped, failed or lost', color: COLORS.failed, values: failed },
    ],
    cost: [{ label: 'spent (USD)', color: COLORS.cost, values: cost }],
  };
}

const dollars = (v: number) => `$${v.toFixed(2)}`;
const count = (v: number) => (Number.isInteger(v) ? String(v) : '');

/** A labelled timeline per task: one bar per session of the task, from its start to its end (or now). */
function TaskTimeline({ tasks, sessions, now }: { tasks: Task[]; sessions: Map<string, SessionSummary>; now: number }) {
  const rows = tasks
    .map((t) => ({ task: t, bars: t.sessionIds.map((id) => sessions.get(id)).filter((s): s is SessionSummary => !!s) }))
    .filter((r) => r.bars.length > 0)
    .slice(0, 30);
  if (rows.length === 0) return <p className="muted">No task has sessions yet.</p>;
  const start = Math.min(...rows.flatMap((r) => r.bars.map((s) => Date.parse(s.createdAt))));
  const span = Math.max(now - start, MINUTE);
  const width = 900;
  const label = 200;
  const rowH = 24;
  const x = (t: number) => label + ((t - start) / span) * (width - label - 10);
  const height = rows.length * rowH + 24;
  return (
    <figure className="chart">
      <figcaption>Sessions per task (the {rows.length} tasks with sessions)</figcaption>
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label="Sessions per task over time">
        {rows.map((r, i) => (
          <g key={r.task.id}>
            <text x={0} y={i * rowH + 16} className="svg-label">
              {r.task.title.length > 28 ? `${r.task.title.slice(0, 27)}…` : r.task.title}
            </text>
            {r.bars.map((s) => {
              const x0 = x(Date.parse(s.createdAt));
              const x1 = x(s.completedAt ? Date.parse(s.completedAt) : now);
              const color = !s.completedAt ? COLORS.live : s.endReason === 'completed' ? COLORS.completed : COLORS.failed;
              return (
                <rect key={s.id} x={x0} y={i * rowH + 5} width={Math.max(3, x1 - x0)} height={rowH - 10} fill={color} rx={2}>
                  <title>{`${s.name ?? s.id}: ${s.completedAt ? `ended ${s.endReason}` : 'live'}, from ${exact(s.createdAt)}`}</title>
                </rect>
              );
            })}
          </g>
        ))}
        <line x1={label} x2={width - 10} y1={height - 20} y2={height - 20} className="svg-axis" />
        <text x={label} y={height - 4} className="svg-label">
          {exact(new Date(start).toISOString())}
        </text>
        <text x={width - 10} y={height - 4} className="svg-label" textAnchor="end">
          now
        </text>
      </svg>
    </figure>
  );
}

/** Charts: sessions over time by state, cost over time, and the per-task timeline. */
export function ActivityPage() {
  const { active, ended, tasks } = useLiveState();
  const now = useNow(MINUTE);
  const all = useMemo(() => new Map([...ended, ...active]), [active, ended]);
  const data = useMemo(() => activitySeries([...all.values()], now), [all, now]);
  return (
    <section className="page" aria-labelledby="activity-title">
      <div className="toolbar">
        <h1 id="activity-title">Activity</h1>
        <span className="muted">
          {all.size.toLocaleString()} sessions since {exact(new Date((data.times[0] as number) * 1000).toISOString())}
        </span>
      </div>
      <div className="charts">
        <TimeChart title="Sessions over time by state" yLabel="sessions" times={data.times} series={data.states} format={count} />
        <TimeChart title="Cost over time" yLabel="USD" times={data.times} series={data.cost} format={dollars} />
      </div>
      <TaskTimeline tasks={[...tasks.values()]} sessions={all} now={now} />
    </section>
  );
}
