/** "42s", "3m", "2h", "4d": the age of an ISO time relative to `nowMs` (milliseconds since the epoch). */
export function age(iso: string, nowMs: number): string {
  const s = Math.max(0, Math.round((nowMs - Date.parse(iso)) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}

/**
 * Splits a command line into arguments: whitespace separates, single or double quotes group, a
 * backslash escapes the next character. Only tokenizing: the arguments are never given to a shell.
 */
export function splitArgs(line: string): string[] {
  const args: string[] = [];
  let current = '';
  let quote: '"' | "'" | null = null;
  let started = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (c === '\\' && quote !== "'" && i + 1 < line.length) {
      current += line[++i];
      started = true;
    } else if (quote) {
      if (c === quote) quote = null;
      else current += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      started = true;
    } else if (/\s/.test(c)) {
      if (started) args.push(current);
      current = '';
      started = false;
    } else {
      current += c;
      started = true;
    }
  }
  if (started) args.push(current);
  return args;
}

/** "3m ago", "just now": how long before `nowMs` the ISO time `iso` was. */
export function ago(iso: string, nowMs: number): string {
  const a = age(iso, nowMs);
  return a === '0s' ? 'just now' : `${a} ago`;
}

/** The exact local time of an ISO time, for hovers: "2026-05-01 14:03:07". */
export function exact(iso: string): string {
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** US dollars as a list shows them: "$0.42", "<$0.01", "—" when unknown. */
export function money(usd: number | undefined): string {
  if (usd === undefined) return '—';
  if (usd > 0 && usd < 0.01) return '<$0.01';
  return `$${usd.toFixed(2)}`;
}

/** The CSS class of a status badge. */
export function statusClass(status: string): string {
  if (status === 'completed') return 'badge ok';
  if (status === 'failed') return 'badge bad';
  if (status === 'paused') return 'badge warn';
  return 'badge live';
}
