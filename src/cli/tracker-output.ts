import type { Project, Task, TaskSummary, TimelineEntry } from '../domain/index.js';
import { paint, type Style } from './colour.js';
import { fields } from './output.js';
import { shortIds } from './short-ids.js';
import { type Cell, fitTable } from './table.js';
import { treeRows } from './tree.js';

/** How the project and task lists are drawn. */
export interface TrackerLayout {
  /** Columns a line may take (the terminal's). */
  width: number;
  /** Paint statuses in colour (see `shouldColour`). */
  colour: boolean;
  /** Project names by id; a project missing from it shows as its id. */
  projects?: ReadonlyMap<string, string>;
}

/** Task statuses in colour: what needs you stands out, what is closed recedes. */
const TASK_STYLE: Record<Task['status'], Style | undefined> = {
  todo: undefined,
  in_progress: 'green',
  in_review: 'boldYellow',
  blocked: 'red',
  done: 'dim',
  cancelled: 'dim',
};

const PROJECT_STYLE: Record<Project['status'], Style | undefined> = {
  queued: 'cyan',
  running: 'green',
  completed: undefined,
  failed: 'red',
  cancelled: 'dim',
};

/**
 * Tasks as a tree, each subtask under its parent (`├─ `), in the order given (highest priority
 * first, then newest); short ids, status, priority, title, project name and session count, fitted
 * to the width with titles cut first.
 */
export function prettyTasks(tasks: TaskSummary[], layout: TrackerLayout): string {
  const short = shortIds(tasks.map((t) => t.id));
  const rows = treeRows(
    tasks,
    (t) => t.id,
    (t) => t.parentId,
  ).map(({ item: t, prefix }): Cell[] => [
    { text: short.get(t.id) ?? t.id, style: 'dim' },
    { text: t.status, style: TASK_STYLE[t.status] },
    { text: String(t.priority) },
    { text: prefix + t.title },
    { text: layout.projects?.get(t.projectId) ?? t.projectId },
    { text: String(t.sessionIds.length) },
  ]);
  return fitTable(
    [
      { header: 'ID', shrink: 3 },
      { header: 'STATUS', shrink: 2 },
      { header: 'PRI' },
      { header: 'TITLE', shrink: 1, weight: 2 },
      { header: 'PROJECT', shrink: 1 },
      { header: 'SESSIONS' },
    ],
    rows,
    layout,
  );
}

/** Projects, highest priority first as given: name, status, priority, agent and repository, fitted to the width. */
export function prettyProjects(projects: Project[], layout: TrackerLayout): string {
  const short = shortIds(projects.map((p) => p.id));
  const rows = projects.map((p): Cell[] => [
    { text: short.get(p.id) ?? p.id, style: 'dim' },
    { text: p.name },
    { text: p.status, style: PROJECT_STYLE[p.status] },
    { text: String(p.priority) },
    { text: p.agentCommand?.join(' ') ?? '-' },
    { text: p.repoPath },
  ]);
  return fitTable(
    [
      { header: 'ID', shrink: 3 },
      { header: 'NAME', shrink: 1, weight: 2 },
      { header: 'STATUS', shrink: 2 },
      { header: 'PRIORITY' },
      { header: 'AGENT', shrink: 1 },
      { header: 'REPO', shrink: 1 },
    ],
    rows,
    layout,
  );
}

/** One project in full, its settings included. */
export const prettyProject = (p: Project): string =>
  fields([
    ['id', p.id],
    ['name', p.name],
    ['description', p.description],
    ['status', p.status],
    ['reason', p.statusReason],
    ['priority', p.priority],
    ['repo', p.repoPath],
    ['agent', p.agentCommand?.join(' ')],
    ['merge', p.mergeStrategy === 'fast_forward' ? 'fast-forward when it can' : 'a merge commit'],
    ['task status', p.autoTaskStatus ? 'follows their sessions' : 'set by people only'],
    ['created', p.createdAt],
    ['queued', p.queuedAt],
    ['started', p.startedAt],
    ['finished', p.completedAt],
  ]);

/** `2026-11-30 13:40:12` in local time: what people read in a timeline. */
export function localTime(iso: string): string {
  const d = new Date(iso);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/** What a timeline entry says, as a sentence (`status todo → in_progress (by maestro)`). */
export function timelineText(e: TimelineEntry): string {
  const data = (e.data ?? {}) as Record<string, unknown>;
  const session = e.sessionId ? `session ${e.sessionId}` : 'a session';
  const note = typeof data.note === 'string' ? `: “${data.note}”` : '';
  switch (e.type) {
    case 'created':
      return 'created';
    case 'status_changed':
      return `status ${data.from} → ${data.to}${data.by ? ` (by ${data.by}${e.sessionId ? `, ${session}` : ''})` : ''}`;
    case 'session_started':
      return `${session} started`;
    case 'session_ended':
      return `${session} ended: ${data.reason}${note}`;
    case 'session_finished':
      return `${session} finished: ${data.action} ${data.branch}${typeof data.commit === 'string' ? ` (${data.commit.slice(0, 12)})` : ''}`;
    case 'note':
      return `note: ${data.message}`;
    default:
      return `${e.type}${e.data ? ` ${JSON.stringify(e.data)}` : ''}`;
  }
}

/** One task in full: its fields, then its timeline a line an entry, in local time. */
export function prettyTask(t: Task, options: { colour?: boolean; projectName?: string } = {}): string {
  return [
    fields([
      ['id', t.id],
      ['title', t.title],
      [
        'status',
        `${paint(t.status, TASK_STYLE[t.status], options.colour ?? false)}${t.statusBy ? ` (set by ${t.statusBy})` : ''}`,
      ],
      ['priority', t.priority],
      ['project', options.projectName === undefined ? t.projectId : `${options.projectName} (${t.projectId})`],
      ['parent', t.parentId],
      ['sessions', t.sessionIds.join(', ')],
      ['started', t.startedAt],
      ['closed', t.completedAt],
      ['description', t.description],
    ]),
    '',
    'timeline:',
    ...t.timeline.map((e) => `  ${localTime(e.timestamp)}  ${timelineText(e)}`),
  ].join('\n');
}
