/**
 * Whether the CLI colours what it writes, decided in one place for every command: `FORCE_COLOR`
 * (anything but `0` or `false`) forces colour on, as it does for Node and most npm tools, and
 * `FORCE_COLOR=0` forces it off; otherwise a non-empty `NO_COLOR` turns it off (no-color.org);
 * otherwise the stream must be a terminal that is not `TERM=dumb`.
 */
export function shouldColour(
  stream: { isTTY?: boolean } = process.stdout,
  env: Record<string, string | undefined> = process.env,
): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return !['0', 'false'].includes(force.toLowerCase());
  if (env.NO_COLOR) return false;
  return stream.isTTY === true && env.TERM !== 'dumb';
}

/** SGR codes of the styles the CLI uses. */
export const STYLE = {
  bold: '1',
  dim: '2',
  red: '31',
  green: '32',
  yellow: '33',
  cyan: '36',
  boldYellow: '1;33',
} as const;

/** A style's name. */
export type Style = keyof typeof STYLE;

/** `text` in `style` when `colour` is on; as it is otherwise (and when no style is given). */
export function paint(text: string, style: Style | undefined, colour: boolean): string {
  return colour && style !== undefined && text !== '' ? `\x1b[${STYLE[style]}m${text}\x1b[0m` : text;
}
