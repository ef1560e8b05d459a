import { useMemo, useRef } from 'react';
import uPlot from 'uplot';
import { axisStyle, type PlotOptions, usePlot } from './plot.js';

/** A value as it is: the default format, one function for every render (a new one would remake the chart). */
const plain = (v: number) => String(v);

export interface Series {
  label: string;
  color: string;
  values: number[];
  /** Drawn as steps of stacked-looking bars rather than a line. */
  bars?: boolean;
}

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
  format = plain,
}: {
  title: string;
  yLabel: string;
  /** Seconds since the epoch, one per point. */
  times: number[];
  series: Series[];
  format?: (value: number) => string;
}) {
  const box = useRef<HTMLDivElement>(null);
  const options = useMemo<PlotOptions>(() => {
    const axis = axisStyle();
    return {
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
    };
  }, [series, yLabel, format]);
  const data = useMemo<uPlot.AlignedData>(() => [times, ...series.map((s) => s.values)], [times, series]);
  usePlot(box, options, data);
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <div ref={box} role="img" aria-label={`${title}: ${series.map((s) => s.label).join(', ')} over time`} />
    </figure>
  );
}
