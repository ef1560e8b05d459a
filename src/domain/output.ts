/** `lines` without the blank lines at its end (a terminal's unused rows). */
export function dropTrailingBlank(lines: string[]): string[] {
  let end = lines.length;
  while (end > 0 && (lines[end - 1] as string).trim() === '') end--;
  return lines.slice(0, end);
}
