import { useMemo, useRef } from 'react';
import uPlot from 'uplot';
import { exact } from './format.js';
import { axisStyle, cssVar, type PlotOptions, usePlot } from './plot.js';
import { BARS, MARKS, pick, type TimelineRow, timelineData } from './task-timeline-rows.js';

/** Height of a task's row, in CSS pixels. */
const ROW = 28;
/** The x axis with its two lines of ticks and its label under the rows, and the room above them, in CSS pixels. */
const X_AXIS = 96;
/** Width of the task titles left of the rows. */
const LABELS = 180;
/** How near the pointer must be to a mark to show it, in CSS pixels. */
const NEAR = 7;

/** A title short enough for the y axis. */
const short = (title: string) => (title.length > 26 ? `${title.slice(0, 25)}…` : title);

/**
 * The sessions' bars, drawn under the marks (uPlot has no Gantt series): one per session in its
 * task's row, from its start to its end or now, skipped when its kind is switched off in the legend.
 */
function drawBars(rows: TimelineRow[]) {
  return (u: uPlot) => {
    const { ctx } = u;
    const { left, top, width, height } = u.bbox;
    const thick = Math.max(4, Math.abs(u.valToPos(0, 'y', true) - u.valToPos(1, 'y', true)) * 0.45);
    const min = 3 * uPlot.pxRatio;
    ctx.save();
    ctx.beginPath();
    ctx.rect(left, top, width, height);
    ctx.clip();
    rows.forEach((row, i) => {
      const y = u.valToPos(rows.length - 1 - i, 'y', true);
      for (const b of row.bars) {
        const k = BARS.findIndex((x) => x.state === b.state);
        if (!u.series[1 + MARKS.length + k]?.show) continue;
        const x0 = u.valToPos(b.from / 1000, 'x', true);
        const x1 = Math.max(x0 + min, u.valToPos(b.to / 1000, 'x', true));
        ctx.fillStyle = `${BARS[k]?.color}99`;
        ctx.fillRect(x0, y - thick / 2, x1 - x0, thick);
      }
    });
    ctx.restore();
  };
}

/**
 * The hover readout: a small box by the pointer naming the task and what is there — the marks
 * under the pointer with their exact times, or the session bar under it. Built with text nodes only
 * (titles and notes are whatever people typed).
 */
function tooltip(rows: TimelineRow[]): Pick<NonNullable<uPlot.Options['hooks']>, 'init' | 'setCursor'> {
  let tip: HTMLDivElement;
  return {
    init: [
      (u) => {
        tip = document.createElement('div');
        tip.className = 'chart-tip';
        tip.dataset.tip = '';
        tip.hidden = true;
        u.over.append(tip);
      },
    ],
    setCursor: [
      (u) => {
        const { left = -1, top = -1 } = u.cursor;
        const row = left < 0 ? undefined : rows[rows.length - 1 - Math.round(u.posToVal(top, 'y'))];
        const at = u.posToVal(left, 'x') * 1000;
        const lines = row ? pick(row, at, u.posToVal(left + NEAR, 'x') * 1000 - at) : [];
        if (!row || lines.length === 0) {
          tip.hidden = true;
          return;
        }
        const title = document.createElement('strong');
        title.textContent = row.title;
        tip.replaceChildren(
          title,
          ...lines.map((line) => {
            const div = document.createElement('div');
            div.textContent = line;
            return div;
          }),
        );
        tip.hidden = false;
        // Beside the pointer, on the side with the room.
        const right = left > u.over.clientWidth / 2;
        tip.style.left = right ? '' : `${left + 12}px`;
        tip.style.right = right ? `${u.over.clientWidth - left + 12}px` : '';
        tip.style.top = `${top + 12}px`;
      },
    ],
  };
}

/** The uPlot options of the timeline: time across, a row per task, marks as point series, bars drawn under them. */
function timelineOptions(rows: TimelineRow[]): PlotOptions {
  const axis = axisStyle();
  const ring = cssVar('--surface', '#ffffff');
  const places = rows.map((_, i) => i);
  return {
    height: rows.length * ROW + X_AXIS,
    series: [
      { label: 'time' },
      ...MARKS.map((m) => ({
        label: m.label,
        stroke: m.color,
        fill: m.color,
        paths: () => null,
        points: { show: true, size: 10, width: 1.5, stroke: ring, fill: m.color },
      })),
      // In the legend only, as the bars' key (and switch): the bars are drawn by drawBars.
      ...BARS.map((b) => ({ label: b.label, stroke: b.color, fill: `${b.color}99`, paths: () => null, points: { show: false } })),
    ],
    axes: [
      { ...axis, label: 'time (local)' },
      {
        ...axis,
        label: 'task',
        size: LABELS,
        gap: 6,
        splits: () => places,
        values: (_u, splits) => splits.map((v) => short(rows[rows.length - 1 - v]?.title ?? '')),
      },
    ],
    scales: { y: { auto: false, range: [-0.5, rows.length - 0.5] } },
    cursor: { y: false, points: { show: false }, drag: { x: true, y: false, setScale: true } },
    legend: { live: false },
    hooks: { drawAxes: [drawBars(rows)], ...tooltip(rows) },
  };
}

/**
 * The per-task timeline as a uPlot chart: a row per task (its title on the y axis), its sessions as
 * bars and its timeline entries (created, status changes, session starts and ends, finishes, notes)
 * as marks, over local time; hovering shows what happened when. For screen readers, the chart is an
 * image with a summary and the same entries follow as a visually hidden list.
 */
export function TaskTimeline({ rows, span, total }: { rows: TimelineRow[]; span: [number, number]; total: number }) {
  const box = useRef<HTMLDivElement>(null);
  const options = useMemo(() => timelineOptions(rows), [rows]);
  const data = useMemo<uPlot.AlignedData>(() => {
    const [xs, ...marks] = timelineData(rows, span);
    // The bars' legend-only series hold nothing (uPlot wants an array per series all the same).
    return [xs, ...marks, ...BARS.map(() => new Array<null>(xs.length).fill(null))];
  }, [rows, span]);
  usePlot(box, options, data);
  const from = exact(new Date(span[0]).toISOString());
  const shown = rows.length < total ? `the ${rows.length} most recently active of ${total} tasks` : `${total} tasks`;
  return (
    <figure className="chart" data-task-timeline data-rows={rows.length}>
      <figcaption>Task timeline: {shown}</figcaption>
      <div
        ref={box}
        role="img"
        aria-label={`Task timeline from ${from} to now, a row per task (${rows.map((r) => r.title).join(', ')}): sessions as bars, created, status changes, session starts and ends, finishes and notes as marks; listed below`}
      />
      <ul className="sr-only" aria-label="Task timeline entries">
        {rows.map((r) => (
          <li key={r.id}>
            {r.title}:{' '}
            {[
              ...r.bars.map((b) => `session ${b.what}`),
              ...r.marks.map((m) => `${exact(new Date(m.at).toISOString())} ${m.what}`),
            ].join('; ')}
          </li>
        ))}
      </ul>
    </figure>
  );
}
