import { useMemo } from 'react';
import type { SessionSummary } from '../../src/client/index.js';
import { useLiveState, useNow } from './context.js';
import { exact } from './format.js';
import { TaskTimeline } from './task-timeline.js';
import { timelineRows, timelineSpan } from './task-timeline-rows.js';
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

/** Charts: sessions over time by state, cost over time, and the per-task timeline. */
export function ActivityPage() {
  const { active, ended, tasks } = useLiveState();
  const now = useNow(MINUTE);
  const all = useMemo(() => new Map([...ended, ...active]), [active, ended]);
  const data = useMemo(() => activitySeries([...all.values()], now), [all, now]);
  const timeline = useMemo(() => {
    const rows = timelineRows(tasks.values(), all, now);
    return { rows, span: timelineSpan(rows, now) };
  }, [tasks, all, now]);
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
      {timeline.rows.length > 0 ? (
        <TaskTimeline rows={timeline.rows} span={timeline.span} total={tasks.size} />
      ) : (
        <p className="muted">No tasks yet.</p>
      )}
    </section>
  );
}
