import type { SessionSummary, Task, TimelineEntry } from '../../src/client/index.js';
import { age, exact } from './format.js';
import { describe } from './timeline-words.js';

/** Rows the chart draws at most: beyond some 30 the labels no longer fit a screen. */
export const ROWS = 30;
/** The shortest span drawn, so that a task made a second ago is not a dot at both edges. */
const MINUTE = 60_000;

/** What a timeline entry is drawn as: one series of the chart each, with its colour in the legend. */
export const MARKS = [
  { kind: 'status', label: 'created / status', color: '#bc4c00' },
  { kind: 'session', label: 'session start / end', color: '#6e7781' },
  { kind: 'finished', label: 'finished (merge, keep, discard)', color: '#1b7c83' },
  { kind: 'note', label: 'note', color: '#8250df' },
] as const;
export type MarkKind = (typeof MARKS)[number]['kind'];

/** A session's bar, coloured by how it stands: live, ended done, or ended otherwise. */
export const BARS = [
  { state: 'live', label: 'session live', color: '#1f6feb' },
  { state: 'done', label: 'session done', color: '#1a7f37' },
  { state: 'failed', label: 'session stopped, failed or lost', color: '#cf222e' },
] as const;
export type BarState = (typeof BARS)[number]['state'];

/** One entry of a task's timeline, at a moment (ms since the epoch), in words. */
export interface Mark {
  at: number;
  kind: MarkKind;
  what: string;
}

/** One session of a task, from its start to its end (or now), in words with its times. */
export interface Bar {
  from: number;
  to: number;
  state: BarState;
  what: string;
}

/** A task's row: its sessions as bars, its timeline as marks, and when it last saw something happen. */
export interface TimelineRow {
  id: string;
  title: string;
  bars: Bar[];
  marks: Mark[];
  last: number;
}

const KIND: Record<TimelineEntry['type'], MarkKind> = {
  created: 'status',
  status_changed: 'status',
  session_started: 'session',
  session_ended: 'session',
  session_finished: 'finished',
  note: 'note',
};

/** A session's bar: live since its start, or from its start to its end with how it ended. */
function bar(s: SessionSummary, now: number): Bar {
  const name = s.name ?? s.id;
  const from = Date.parse(s.createdAt);
  if (!s.completedAt) return { from, to: now, state: 'live', what: `${name}: live since ${exact(s.createdAt)}` };
  const to = Date.parse(s.completedAt);
  return {
    from,
    to,
    state: s.endReason === 'completed' ? 'done' : 'failed',
    what: `${name}: ${s.endReason ?? 'ended'}, ${exact(s.createdAt)} – ${exact(s.completedAt)} (${age(s.createdAt, to)})`,
  };
}

/**
 * The rows of the per-task timeline: each task with its sessions (those the page holds) as bars and
 * its timeline entries as marks, the most recently active first (a live session counts as now), at
 * most `limit` of them.
 */
export function timelineRows(
  tasks: Iterable<Task>,
  sessions: ReadonlyMap<string, SessionSummary>,
  now: number,
  limit = ROWS,
): TimelineRow[] {
  const rows: TimelineRow[] = [];
  for (const t of tasks) {
    const bars = t.sessionIds.flatMap((id) => {
      const s = sessions.get(id);
      return s ? [bar(s, now)] : [];
    });
    const marks = t.timeline
      .map((e) => {
        const s = e.sessionId ? (sessions.get(e.sessionId)?.name ?? e.sessionId) : undefined;
        return { at: Date.parse(e.timestamp), kind: KIND[e.type] ?? 'status', what: describe(e, s) };
      })
      .sort((a, b) => a.at - b.at);
    const last = Math.max(Date.parse(t.createdAt), ...bars.map((b) => b.to), ...marks.map((m) => m.at));
    rows.push({ id: t.id, title: t.title, bars, marks, last });
  }
  return rows.sort((a, b) => b.last - a.last).slice(0, limit);
}

/**
 * The time the chart spans, in ms: from the first bar or mark to now (at least a minute), with 2%
 * more on each side so that the marks at its ends are drawn whole.
 */
export function timelineSpan(rows: TimelineRow[], now: number): [number, number] {
  const first = Math.min(now - MINUTE, ...rows.flatMap((r) => [...r.bars.map((b) => b.from), ...r.marks.map((m) => m.at)]));
  const pad = (now - first) * 0.02;
  return [first - pad, now + pad];
}

/**
 * The chart's data as uPlot takes it: x is every mark's time in seconds (sorted, repeats allowed),
 * with the span's two ends added so that the x scale covers the bars too; one series per kind of
 * mark holding the row's place where it has a mark there, null elsewhere. Row 0 is drawn on top,
 * so it gets the highest place, `rows.length - 1`.
 */
export function timelineData(rows: TimelineRow[], span: [number, number]): [number[], ...(number | null)[][]] {
  const points = rows
    .flatMap((r, i) =>
      r.marks.map((m) => ({ t: m.at / 1000, series: MARKS.findIndex((k) => k.kind === m.kind), y: rows.length - 1 - i })),
    )
    .sort((a, b) => a.t - b.t);
  const xs = [span[0] / 1000, ...points.map((p) => p.t), span[1] / 1000];
  const series = MARKS.map(() => new Array<number | null>(xs.length).fill(null));
  points.forEach((p, i) => {
    (series[p.series] as (number | null)[])[i + 1] = p.y;
  });
  return [xs, ...series];
}

/** Marks a readout lists at most: the nearest ones, when many fall under the pointer. */
const SHOWN = 6;

/**
 * What the pointer is on in `row` at `at` (ms), as lines of a readout: the marks within `slack` ms
 * (entries made together, such as a session's start and the status it moved its task to, all
 * show), each with its exact time, in order; else the session bar there (the latest started, when
 * several overlap); else nothing.
 */
export function pick(row: TimelineRow, at: number, slack: number): string[] {
  const near = row.marks.filter((m) => Math.abs(m.at - at) <= slack);
  if (near.length > 0) {
    const shown = [...near].sort((a, b) => Math.abs(a.at - at) - Math.abs(b.at - at)).slice(0, SHOWN);
    const lines = shown.sort((a, b) => a.at - b.at).map((m) => `${exact(new Date(m.at).toISOString())} · ${m.what}`);
    return near.length > SHOWN ? [...lines, `and ${near.length - SHOWN} more`] : lines;
  }
  const under = row.bars.filter((b) => b.from - slack <= at && at <= b.to + slack).sort((a, b) => b.from - a.from)[0];
  return under ? [under.what] : [];
}
