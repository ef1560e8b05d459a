import type { Project, SessionSummary, Task } from '../../src/client/index.js';

/** One line of the session list: a project's heading, a session, or the fold of the ended sessions. */
export type Row =
  | { kind: 'project'; projectId: string; name: string; live: number; waiting: number }
  | { kind: 'session'; summary: SessionSummary }
  | { kind: 'ended'; count: number; open: boolean };

/** Whether summary `s` matches every word of `query` (in its name, id, state, end reason, project or task titles). */
export function matches(
  s: SessionSummary,
  words: string[],
  projects: ReadonlyMap<string, Project>,
  tasks: ReadonlyMap<string, Task>,
): boolean {
  if (words.length === 0) return true;
  const text = [
    s.name,
    s.id,
    s.status,
    s.agentState,
    s.waitingReason,
    s.endReason,
    projects.get(s.projectId)?.name,
    ...s.taskIds.map((id) => tasks.get(id)?.title),
  ]
    .join(' ')
    .toLowerCase();
  return words.every((word) => text.includes(word));
}

/** The words of a search box, lower case. */
export const words = (query: string): string[] => query.toLowerCase().split(/\s+/).filter(Boolean);

/** Ended sessions matching `query`, the most recently ended first. */
export function endedRows(
  ended: ReadonlyMap<string, SessionSummary>,
  query: string[],
  projects: ReadonlyMap<string, Project>,
  tasks: ReadonlyMap<string, Task>,
): SessionSummary[] {
  const shown = query.length === 0 ? [...ended.values()] : [...ended.values()].filter((s) => matches(s, query, projects, tasks));
  return shown.sort((a, b) => (b.completedAt ?? '').localeCompare(a.completedAt ?? ''));
}

/**
 * The rows of the session list: live sessions grouped by project (projects by name; in each, the
 * waiting first, then the newest), then one fold row for the ended sessions, and when it is open,
 * `ended` (already filtered and sorted, see {@link endedRows}).
 */
export function sessionRows(
  active: ReadonlyMap<string, SessionSummary>,
  ended: SessionSummary[],
  showEnded: boolean,
  query: string[],
  projects: ReadonlyMap<string, Project>,
  tasks: ReadonlyMap<string, Task>,
): Row[] {
  const groups = new Map<string, SessionSummary[]>();
  for (const s of active.values()) {
    if (!matches(s, query, projects, tasks)) continue;
    const group = groups.get(s.projectId);
    if (group) group.push(s);
    else groups.set(s.projectId, [s]);
  }
  const name = (id: string) => projects.get(id)?.name ?? id;
  const rows: Row[] = [];
  for (const projectId of [...groups.keys()].sort((a, b) => name(a).localeCompare(name(b)))) {
    const group = groups.get(projectId) as SessionSummary[];
    group.sort(
      (a, b) => Number(b.agentState === 'waiting') - Number(a.agentState === 'waiting') || b.createdAt.localeCompare(a.createdAt),
    );
    const waiting = group.filter((s) => s.agentState === 'waiting').length;
    rows.push({ kind: 'project', projectId, name: name(projectId), live: group.length, waiting });
    for (const summary of group) rows.push({ kind: 'session', summary });
  }
  if (ended.length > 0) {
    rows.push({ kind: 'ended', count: ended.length, open: showEnded });
    if (showEnded) for (const summary of ended) rows.push({ kind: 'session', summary });
  }
  return rows;
}
