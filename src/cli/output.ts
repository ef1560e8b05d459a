import { agentStateLabel, type Session, type SessionDiff, sessionStatusLabel, shellWords } from '../domain/index.js';

export { shellQuote, shellWords } from '../domain/index.js';

import { paint as paintText, type Style } from './colour.js';
import { table } from './table.js';

export { table };

/** Output formats every command accepts. */
export type OutputFormat = 'json' | 'pretty';

/** Prints `value` as JSON, or with `pretty` when the format is pretty. */
export function emit<T>(format: OutputFormat, value: T, pretty: (value: T) => string): void {
  process.stdout.write(format === 'json' ? `${JSON.stringify(value, null, 2)}\n` : `${pretty(value)}\n`);
}

/** "3m ago"-style age of an ISO timestamp, relative to `nowMs` (milliseconds since the epoch). */
export function ago(isoTime: string, nowMs = Date.now()): string {
  const seconds = Math.max(0, Math.round((nowMs - Date.parse(isoTime)) / 1000));
  if (seconds < 60) return `${seconds}s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h ago`;
  return `${Math.floor(seconds / 86_400)}d ago`;
}

/** Token counts in a line: `1.2M in, 34k out, 5.6M cache read, 78k cache write`. */
export const tokensText = (t: Session['statistics']['tokens']): string =>
  `${compact(t.input)} in, ${compact(t.output)} out, ${compact(t.cacheRead)} cache read, ${compact(t.cacheWrite)} cache write`;

const compact = (n: number): string =>
  n >= 1_000_000 ? `${(n / 1_000_000).toFixed(1)}M` : n >= 1000 ? `${(n / 1000).toFixed(1)}k` : String(n);

/** Key/value lines, keys padded. */
export function fields(pairs: [string, unknown][]): string {
  const width = Math.max(...pairs.map(([k]) => k.length));
  return pairs.map(([k, v]) => `${k.padEnd(width)}  ${v === null || v === undefined || v === '' ? '-' : String(v)}`).join('\n');
}

/** A waiting agent's question, and its choices numbered, one a line under it. */
function waitingText(w: NonNullable<Session['waitingFor']>): string {
  const pad = (text: string) => text.replaceAll('\n', '\n               ');
  return [pad(w.message || '(no message)'), ...(w.choices ?? []).map((c, i) => pad(`  ${i + 1}. ${c}`))].join(
    '\n               ',
  );
}

/**
 * One session in full: its agent state and what it waits for, its command, agent, tokens and cost,
 * the last lines of its output once ended; its project by name when `projectName` is given.
 */
export const prettySession = (s: Session, projectName?: string): string =>
  [
    fields([
      ['id', s.id],
      ['name', s.name],
      [
        'state',
        s.agentState === null
          ? null
          : `${agentStateLabel(s)} since ${s.agentStateSince} (${ago(s.agentStateSince ?? s.updatedAt)})`,
      ],
      ['waiting for', s.waitingFor ? waitingText(s.waitingFor) : null],
      ['status', sessionStatusLabel(s)],
      ['phase', s.phase],
      ['role', s.role],
      ['started by', s.parentSessionId],
      ['project', projectName === undefined ? s.projectId : `${projectName} (${s.projectId})`],
      ['tasks', s.taskIds.join(', ')],
      ['branch', s.gitContext.branch],
      ['commit', s.gitContext.commit?.slice(0, 12)],
      [
        'runtime',
        s.runtime.kind === 'tmux' ? `tmux ${s.runtime.tmuxSession} on ${s.runtime.host} (pid ${s.runtime.pid ?? '-'})` : 'none',
      ],
      ['command', s.launch ? shellWords(s.launch.command) : null],
      ['agent', s.launch?.agent],
      ['directory', s.launch?.cwd],
      ['restart of', s.launch?.restartOf],
      ['created', s.createdAt],
      [
        'last activity',
        `${s.lastActivityAt} (${ago(s.lastActivityAt)})${s.lastActivityDetail ? `: ${s.lastActivityDetail}` : ''}`,
      ],
      ['messages', s.messageCount],
      ['tokens', s.statistics.model === null ? null : `${tokensText(s.statistics.tokens)} (${s.statistics.model})`],
      ['cost', s.statistics.model === null ? null : `$${s.statistics.costUsd.toFixed(4)} (estimated)`],
      [
        'ended',
        s.completedAt
          ? `${s.completedAt}: ${s.endReason}${s.runtime.exitCode !== null ? `, exit ${s.runtime.exitCode}` : ''}`
          : null,
      ],
      ['note', s.endNote],
    ]),
    ...(s.output.length > 0 ? ['', '--- last output ---', ...s.output.slice(-20)] : []),
  ].join('\n');

/** `1 file`, `7 files`: a count with its noun, as git's summary line writes them. */
const count = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;

/** One letter per way a file changed, as `git status --short` shows them. */
const DIFF_LETTER: Record<string, string> = { added: 'A', modified: 'M', deleted: 'D', renamed: 'R', binary: 'B' };

/**
 * A session's diff as people read one: a line per file (`M src/app.ts  +3 -1`), a total, then each
 * file's hunks; with `colour` (a terminal), additions green, deletions red, hunk headers cyan.
 */
export function prettyDiff(d: SessionDiff, colour: boolean): string {
  const paint = (style: Style, text: string) => paintText(text, style, colour);
  const name = (f: SessionDiff['files'][number]) => (f.oldPath ? `${f.oldPath} → ${f.path}` : f.path);
  const lines = d.files.map(
    (f) =>
      `${DIFF_LETTER[f.status] ?? '?'} ${name(f)}  ${paint('green', `+${f.insertions}`)} ${paint('red', `-${f.deletions}`)}${f.truncated ? '  (truncated)' : ''}`,
  );
  lines.push(
    `${count(d.totals.files, 'file')} changed, ${count(d.totals.insertions, 'insertion')}(+), ${count(d.totals.deletions, 'deletion')}(-) since ${d.base.slice(0, 12)}`,
  );
  for (const f of d.files) {
    if (f.hunks === null) continue;
    lines.push('', paint('bold', `--- ${name(f)}`));
    for (const line of f.hunks.split('\n'))
      lines.push(
        line.startsWith('@@')
          ? paint('cyan', line)
          : line.startsWith('+')
            ? paint('green', line)
            : line.startsWith('-')
              ? paint('red', line)
              : line,
      );
  }
  if (d.truncated) lines.push('', '(some hunks were left out to stay within the limits: see --stat, or the file itself)');
  return lines.join('\n');
}
