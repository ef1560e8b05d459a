import { agentStateLabel, type Session, sessionStatusLabel } from '../domain/index.js';
import type { Style } from './colour.js';
import { ago } from './output.js';
import { type Cell, type Column, fitTable } from './table.js';

/** How `maestro session list` lays its sessions out. */
export interface SessionListLayout {
  /** Project names by id (`client.projects.list()`); a project missing from it shows as its id. */
  projects: ReadonlyMap<string, string>;
  /** Every column in full (`--wide`), nothing cut; otherwise the few that matter, fitted to `width`. */
  wide: boolean;
  /** Columns a line may take (the terminal's); ignored when wide. */
  width: number;
  /** Paint states in colour (see `shouldColour`). */
  colour: boolean;
  /** Now, in milliseconds since the epoch (ages are relative to it). */
  now?: number;
}

/** Fewest characters of a ULID shown for a session without a name of its own (about a second of creation time). */
const SHORT_ID = 8;

/**
 * Each id cut to the shortest start, `sess_` left out, that no other id listed shares (at least
 * {@link SHORT_ID} characters): what `maestro session get` takes back, as git takes short hashes.
 */
export function shortIds(ids: string[]): Map<string, string> {
  const bare = ids.map((id) => id.replace(/^sess_/, ''));
  const short = new Map<string, string>();
  bare.forEach((b, i) => {
    let length = Math.min(SHORT_ID, b.length);
    while (length < b.length && bare.some((other, j) => j !== i && other.startsWith(b.slice(0, length)))) length++;
    short.set(ids[i] as string, b.slice(0, length));
  });
  return short;
}

/** Whether the session went wrong: it failed, was lost, or its command exited with a non-zero code. */
const wentWrong = (s: Session): boolean =>
  s.status === 'failed' ||
  s.endReason === 'failed' ||
  s.endReason === 'lost' ||
  (s.runtime.exitCode !== null && s.runtime.exitCode !== 0);

/**
 * The colour of an agent state: waiting for you stands out (bold yellow), working is green, idle
 * recedes (dim); an exited agent is red when its session went wrong, plain when it ended well.
 */
function stateStyle(s: Session): Style | undefined {
  switch (s.agentState) {
    case 'waiting':
      return 'boldYellow';
    case 'working':
      return 'green';
    case 'idle':
      return 'dim';
    case 'starting':
      return 'cyan';
    case 'exited':
      return wentWrong(s) ? 'red' : undefined;
    default:
      return undefined;
  }
}

const statusStyle = (s: Session): Style | undefined =>
  s.status === 'failed' ? 'red' : s.status === 'paused' ? 'yellow' : undefined;

/** Why it ended, with its command's exit code (`failed (exit 2)`); `-` while it runs. */
const endedText = (s: Session): string =>
  s.endReason ? `${s.endReason}${s.runtime.exitCode !== null ? ` (exit ${s.runtime.exitCode})` : ''}` : '-';

const cell = (text: string, style?: Style): Cell => ({ text, style });

/** The few columns a person reads first, each line fitted to the terminal. */
function narrow(sessions: Session[], layout: SessionListLayout, now: number): string {
  const short = shortIds(sessions.map((s) => s.id));
  const columns: Column[] = [
    // Names are cut first (the session's keeping more than the others), what the agent is doing last.
    { header: 'STATE', shrink: 3 },
    { header: 'NAME', shrink: 1, weight: 2 },
    { header: 'PROJECT', shrink: 1 },
    { header: 'STATUS', shrink: 2 },
    { header: 'ACTIVITY' },
    { header: 'ENDED', shrink: 1 },
  ];
  const rows = sessions.map((s) => [
    cell(agentStateLabel(s), stateStyle(s)),
    // A name that only repeats the id (the default) shows as the short id, dim: an id, not a name.
    s.name === s.id ? cell(short.get(s.id) ?? s.id, 'dim') : cell(s.name),
    cell(layout.projects.get(s.projectId) ?? s.projectId),
    cell(sessionStatusLabel(s), statusStyle(s)),
    cell(ago(s.lastActivityAt, now)),
    cell(endedText(s), wentWrong(s) ? 'red' : undefined),
  ]);
  return fitTable(columns, rows, { width: layout.width, colour: layout.colour });
}

/** Every column, nothing cut (`--wide`): for a wide terminal, or a pipe into grep. */
function wide(sessions: Session[], layout: SessionListLayout, now: number): string {
  const headers = [
    'STATE',
    'ID',
    'NAME',
    'PROJECT',
    'STATUS',
    'PHASE',
    'AGENT',
    'TASKS',
    'BRANCH',
    'HOST',
    'CREATED',
    'LAST ACTIVITY',
    'ENDED',
  ];
  const rows = sessions.map((s) => [
    cell(agentStateLabel(s), stateStyle(s)),
    cell(s.id),
    cell(s.name === s.id ? '-' : s.name),
    cell(layout.projects.get(s.projectId) ?? s.projectId),
    cell(sessionStatusLabel(s), statusStyle(s)),
    cell(s.phase ?? '-'),
    cell(s.launch?.agent ?? '-'),
    cell(s.taskIds.length > 0 ? s.taskIds.join(',') : '-'),
    cell(s.gitContext.branch ?? '-'),
    cell(s.runtime.host ?? '-'),
    cell(s.createdAt),
    cell(ago(s.lastActivityAt, now)),
    cell(endedText(s), wentWrong(s) ? 'red' : undefined),
  ]);
  return fitTable(
    headers.map((header) => ({ header })),
    rows,
    { colour: layout.colour },
  );
}

/**
 * Sessions as `maestro session list` shows them, newest first as given: what each agent is doing
 * first (`waiting: permission`, `working`…), its name (or short id), project name, status, last
 * activity and why it ended, fitted to `layout.width`; with `layout.wide`, every column in full.
 */
export function prettySessions(sessions: Session[], layout: SessionListLayout): string {
  const now = layout.now ?? Date.now();
  return layout.wide ? wide(sessions, layout, now) : narrow(sessions, layout, now);
}
