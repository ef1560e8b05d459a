import { agentStateLabel, type Session, type SessionListItem, type SessionSummary, sessionStatusLabel } from '../domain/index.js';
import type { Style } from './colour.js';
import { ago } from './output.js';
import { shortIds } from './short-ids.js';
import { type Cell, type Column, fitTable } from './table.js';
import { type TreeRow, treeRows } from './tree.js';

/** How `maestro session list` lays its sessions out. */
export interface SessionListLayout {
  /** Project names by id (`client.projects.list()`); a project missing from it shows as its id. */
  projects: ReadonlyMap<string, string>;
  /** Every column in full (`--wide`), nothing cut; otherwise the few that matter, fitted to `width`. */
  wide: boolean;
  /** Columns a line may take (the terminal's); ignored when wide. */
  width: number;
  /** Draw the sessions as a tree: each under the session that started it (`parentSessionId`). */
  tree?: boolean;
  /** Paint states in colour (see `shouldColour`). */
  colour: boolean;
  /** Now, in milliseconds since the epoch (ages are relative to it). */
  now?: number;
}

/** What the narrow list reads of a session: a summary holds it all, as a full row does. */
export type Listed = Pick<
  Session,
  'id' | 'name' | 'projectId' | 'status' | 'agentState' | 'lastActivityAt' | 'endReason' | 'completedAt' | 'parentSessionId'
> & {
  waitingFor: { reason: string } | null;
  runtime: Pick<Session['runtime'], 'exitCode' | 'kind' | 'tmuxSession'>;
};

/**
 * A summary as the list reads it: the keys a summary leaves out put back (`name` as the id, nulls),
 * its runtime unknown (so a paused one reads `paused`, not `paused (process stopped)`).
 */
export function listedOf(s: SessionSummary): Listed {
  return {
    ...s,
    name: s.name ?? s.id,
    waitingFor: s.waitingReason ? { reason: s.waitingReason } : null,
    endReason: s.endReason ?? null,
    completedAt: s.completedAt ?? null,
    parentSessionId: s.parentSessionId ?? null,
    runtime: { kind: 'none', tmuxSession: null, exitCode: s.exitCode ?? null },
  };
}

/** Whether the session went wrong: it failed, was lost, or its command exited with a non-zero code. */
const wentWrong = (s: Listed): boolean =>
  s.status === 'failed' ||
  s.endReason === 'failed' ||
  s.endReason === 'lost' ||
  (s.runtime.exitCode !== null && s.runtime.exitCode !== 0);

/**
 * The colour of an agent state: waiting for you stands out (bold yellow), working is green, idle
 * recedes (dim); an exited agent is red when its session went wrong, plain when it ended well.
 */
function stateStyle(s: Listed): Style | undefined {
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

const statusStyle = (s: Listed): Style | undefined =>
  s.status === 'failed' ? 'red' : s.status === 'paused' ? 'yellow' : undefined;

/** Why it ended, with its command's exit code (`failed (exit 2)`); `-` while it runs. */
const endedText = (s: Listed): string =>
  s.endReason ? `${s.endReason}${s.runtime.exitCode !== null ? ` (exit ${s.runtime.exitCode})` : ''}` : '-';

const cell = (text: string, style?: Style): Cell => ({ text, style });

/** The sessions in the order drawn, each with what is drawn before its name (the tree, with `layout.tree`). */
function ordered<T extends Listed>(sessions: T[], layout: SessionListLayout): TreeRow<T>[] {
  return layout.tree
    ? treeRows(
        sessions,
        (s) => s.id,
        (s) => s.parentSessionId,
      )
    : sessions.map((item) => ({ item, prefix: '' }));
}

/** The few columns a person reads first, each line fitted to the terminal. */
function narrow(sessions: Listed[], layout: SessionListLayout, now: number): string {
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
  const rows = ordered(sessions, layout).map(({ item: s, prefix }) => [
    cell(agentStateLabel(s), stateStyle(s)),
    // A name that only repeats the id (the default) shows as the short id, dim: an id, not a name.
    s.name === s.id ? cell(prefix + (short.get(s.id) ?? s.id), 'dim') : cell(prefix + s.name),
    cell(layout.projects.get(s.projectId) ?? s.projectId),
    cell(sessionStatusLabel(s), statusStyle(s)),
    cell(ago(s.lastActivityAt, now)),
    cell(endedText(s), wentWrong(s) ? 'red' : undefined),
  ]);
  return fitTable(columns, rows, { width: layout.width, colour: layout.colour });
}

/** Every column, nothing cut (`--wide`): for a wide terminal, or a pipe into grep. */
function wide(sessions: SessionListItem[], layout: SessionListLayout, now: number): string {
  const headers = [
    'STATE',
    'ID',
    'NAME',
    'PROJECT',
    'STATUS',
    'PHASE',
    'ROLE',
    'PARENT',
    'AGENT',
    'TASKS',
    'BRANCH',
    'HOST',
    'CREATED',
    'LAST ACTIVITY',
    'ENDED',
  ];
  const rows = ordered(sessions, layout).map(({ item: s, prefix }) => [
    cell(agentStateLabel(s), stateStyle(s)),
    cell(prefix + s.id),
    cell(s.name === s.id ? '-' : s.name),
    cell(layout.projects.get(s.projectId) ?? s.projectId),
    cell(sessionStatusLabel(s), statusStyle(s)),
    cell(s.phase ?? '-'),
    cell(s.role),
    cell(s.parentSessionId ?? '-'),
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
 * Sessions as `maestro session list` shows them (summaries, or full rows; `layout.wide` needs full
 * rows), newest first as given: what each agent is doing
 * first (`waiting: permission`, `working`…), its name (or short id), project name, status, last
 * activity and why it ended, fitted to `layout.width`; with `layout.wide`, every column in full.
 */
export function prettySessions(sessions: SessionListItem[] | SessionSummary[], layout: SessionListLayout): string {
  const now = layout.now ?? Date.now();
  const full = sessions.filter((s): s is SessionListItem => 'gitContext' in s);
  if (layout.wide) {
    if (full.length < sessions.length) throw new Error('the wide list needs full sessions (view=full)');
    return wide(full, layout, now);
  }
  return narrow(
    sessions.map((s) => ('gitContext' in s ? s : listedOf(s))),
    layout,
    now,
  );
}
