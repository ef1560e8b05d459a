import { stripVTControlCharacters } from 'node:util';

/**
 * Columns a terminal gives text: ANSI escape codes take none, East Asian wide and fullwidth
 * characters and emoji take two, combining marks and zero-width characters none, anything else one.
 * An approximation of wcwidth (no dependency for it): right for the names people give sessions.
 */

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Graphemes a terminal draws two columns wide: Hangul Jamo, CJK, Hangul, fullwidth forms, emoji. */
const WIDE =
  /^(?:\p{Extended_Pictographic}|[\u1100-\u115F\u2E80-\u303E\u3041-\u33FF\u3400-\u4DBF\u4E00-\u9FFF\uA000-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6\u{20000}-\u{3FFFD}])/u;

/** Graphemes that take no column: control characters and lone zero-width ones. */
const ZERO = /^[\p{Cc}\p{Cf}\p{Mn}\p{Me}]+$/u;

const graphemeWidth = (g: string): number => (ZERO.test(g) ? 0 : WIDE.test(g) ? 2 : 1);

/** The columns `text` takes on a terminal, colour codes left out. */
export function visibleWidth(text: string): number {
  const plain = stripVTControlCharacters(text);
  // Plain ASCII, the common case, is one column per character.
  if (/^[\x20-\x7e]*$/.test(plain)) return plain.length;
  let width = 0;
  for (const { segment } of segmenter.segment(plain)) width += graphemeWidth(segment);
  return width;
}

/**
 * `text` (without colour codes) cut to at most `width` columns, ending with `…` when cut; never
 * splits a character or a grapheme cluster.
 */
export function truncate(text: string, width: number): string {
  if (visibleWidth(text) <= width) return text;
  if (width <= 0) return '';
  let out = '';
  let used = 0;
  for (const { segment } of segmenter.segment(text)) {
    const w = graphemeWidth(segment);
    if (used + w > width - 1) break;
    out += segment;
    used += w;
  }
  return `${out}…`;
}

/** `text` padded with spaces to `width` visible columns (colour codes do not count). */
export function padVisible(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - visibleWidth(text)));
}
