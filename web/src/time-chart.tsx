import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface Series {
  label: string;
  color: string;
  values: number[];
  /** Drawn as steps of stacked-looking bars rather than a line. */
  bars?: boolean;
}

/** A CSS custom property of the page (the chart follows the light or dark palette). */
const cssVar = (name: string, fallback: string) =>
  getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;

/**
 * A time chart drawn by uPlot (canvas, some 50 KB): a time x axis, a labelled y axis, and the
 * values under the cursor in the legend, which is its tooltip. Sized to its box, redrawn when the
 * data change.
 */
export function TimeChart({
  title,
  yLabel,
  times,
  series,
  format = (v) => String(v),
}: {
  title: string;
  yLabel: string;
  /** Seconds since the epoch, one per point. */
  times: number[];
  series: Series[];
  format?: (value: number) => string;
}) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const ink = cssVar('--muted', '#57606a');
    const grid = cssVar('--line', '#d0d7de');
    const axis = { stroke: ink, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid } };
    const plot = new uPlot(
      {
        width: element.clientWidth,
        height: 220,
        series: [
          { label: 'time' },
          ...series.map((s) => ({
            label: s.label,
            stroke: s.color,
            fill: `${s.color}33`,
            width: 2,
            value: (_u: uPlot, v: number | null) => (v === null ? '—' : format(v)),
            ...(s.bars ? { paths: uPlot.paths.stepped?.({ align: 1 }) } : {}),
          })),
        ],
        axes: [
          { ...axis, label: 'time' },
          { ...axis, label: yLabel, values: (_u, ticks) => ticks.map(format), size: 60 },
        ],
        scales: { y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
        legend: { live: true },
      },
      [times, ...series.map((s) => s.values)],
      element,
    );
    const observer = new ResizeObserver(() => plot.setSize({ width: element.clientWidth, height: 220 }));
    observer.observe(element);
    return () => {
      observer.disconnect();
      plot.destroy();
    };
  }, [times, series, yLabel, format]);
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <div ref={box} role="img" aria-label={`${title}: ${series.map((s) => s.label).join(', ')} over time`} />
    </figure>
  );
}
