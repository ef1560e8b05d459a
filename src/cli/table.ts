import { paint, type Style } from './colour.js';
import { padVisible, truncate, visibleWidth } from './text-width.js';

/** Spaces between two columns. */
const GAP = '  ';

/** A plain text table: a header row, then one row per item; columns padded to their widest cell. */
export function table(headers: string[], rows: string[][]): string {
  if (rows.length === 0) return '(none)';
  const widths = headers.map((h, i) => Math.max(visibleWidth(h), ...rows.map((r) => visibleWidth(r[i] ?? ''))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => padVisible(c, widths[i] ?? 0))
      .join(GAP)
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

/** A column of a {@link fitTable}. */
export interface Column {
  header: string;
  /**
   * When its cells may be cut (with `…`) to fit the width: columns of rank 1 first, down to a few
   * characters, then those of rank 2 too, and so on; columns without a rank only as a last resort.
   */
  shrink?: number;
  /** How much more room it keeps than the others of its rank when they are cut (default 1). */
  weight?: number;
}

/** A cell: its text (no colour codes) and the style it is painted in when colour is on. */
export interface Cell {
  text: string;
  style?: Style;
}

/** How a {@link fitTable} is laid out. */
export interface FitOptions {
  /** Columns a line may take at most; undefined: no limit, nothing is cut. */
  width?: number;
  /** Paint cells in their style (a terminal, see `shouldColour`). */
  colour: boolean;
}

/**
 * Column widths within `width`: the widest column of the first rank (for its weight) loses a
 * column at a time, so a long name and a long project name share the cut, until the line fits or
 * they are all down to a few characters; then the next rank joins in; on a very narrow terminal
 * any column does, down to one character.
 */
function fitWidths(natural: number[], columns: Column[], width: number): number[] {
  const widths = [...natural];
  const total = () => widths.reduce((a, b) => a + b, 0) + GAP.length * (widths.length - 1);
  const minimum = columns.map((c) => Math.min(visibleWidth(c.header), 8));
  const weight = (i: number) => columns[i]?.weight ?? 1;
  const ranks = [...new Set(columns.map((c) => c.shrink).filter((r): r is number => r !== undefined))].sort((a, b) => a - b);
  // Each pass gives the narrowest a column may become, or undefined for a column it leaves alone.
  const passes: ((i: number) => number | undefined)[] = [
    ...ranks.map((rank) => (i: number) => {
      const own = columns[i]?.shrink;
      return own !== undefined && own <= rank ? minimum[i] : undefined;
    }),
    () => 1,
  ];
  for (const floorOf of passes)
    while (total() > width) {
      let widest = -1;
      widths.forEach((w, i) => {
        const floor = floorOf(i);
        if (floor !== undefined && w > floor && (widest < 0 || w / weight(i) > (widths[widest] ?? 0) / weight(widest)))
          widest = i;
      });
      if (widest < 0) break;
      widths[widest] = (widths[widest] ?? 1) - 1;
    }
  return widths;
}

/**
 * A table that fits `options.width` columns: cells cut with `…` where needed (widths measured on
 * what shows, never on colour codes), each painted in its style when colour is on; a line never
 * exceeds the width. `(none)` for no rows.
 */
export function fitTable(columns: Column[], rows: Cell[][], options: FitOptions): string {
  if (rows.length === 0) return '(none)';
  const natural = columns.map((c, i) => Math.max(visibleWidth(c.header), ...rows.map((r) => visibleWidth(r[i]?.text ?? ''))));
  const widths = options.width === undefined ? natural : fitWidths(natural, columns, options.width);
  const line = (cells: Cell[]) => {
    const shown = cells.map((cell, i) => {
      const text = truncate(cell.text, widths[i] ?? 0);
      const painted = paint(text, cell.style, options.colour);
      return i === cells.length - 1 ? painted : padVisible(painted, widths[i] ?? 0);
    });
    const joined = shown.join(GAP).trimEnd();
    // Narrower than even one character a column: cut the line itself, colour dropped.
    return options.width !== undefined && visibleWidth(joined) > options.width
      ? truncate(cells.map((c, i) => truncate(c.text, widths[i] ?? 0)).join(GAP), options.width)
      : joined;
  };
  return [line(columns.map((c) => ({ text: c.header, style: 'bold' }))), ...rows.map(line)].join('\n');
}
