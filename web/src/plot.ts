import { type RefObject, useEffect } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/** A chart's options without its width: {@link usePlot} gives it its box's. */
export type PlotOptions = Omit<uPlot.Options, 'width'>;

/** A CSS custom property of the page (the charts follow the light or dark palette). */
export const cssVar = (name: string, fallback: string): string =>
  getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;

/**
 * How every chart's axes look: the page's muted ink for ticks and labels, its line colour for the
 * grid. Read when a chart is made, so a chart drawn in dark mode gets the dark palette.
 */
export function axisStyle(): Pick<uPlot.Axis, 'stroke' | 'grid' | 'ticks'> {
  const grid = cssVar('--line', '#d0d7de');
  return { stroke: cssVar('--muted', '#57606a'), grid: { stroke: grid, width: 1 }, ticks: { stroke: grid } };
}

/**
 * Draws a uPlot chart into the element `box` holds, as wide as it and following its resizes (a
 * canvas does not stretch). The chart is made anew when `options` or `data` change — memoise both —
 * and destroyed with the component.
 */
export function usePlot(box: RefObject<HTMLElement | null>, options: PlotOptions, data: uPlot.AlignedData): void {
  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const plot = new uPlot({ ...options, width: element.clientWidth }, data, element);
    const observer = new ResizeObserver(() => plot.setSize({ width: element.clientWidth, height: options.height }));
    observer.observe(element);
    return () => {
      observer.disconnect();
      plot.destroy();
    };
  }, [box, options, data]);
}
