import type { Selectable } from 'kysely';
import {
  EMPTY_STATISTICS,
  type MaestroEvent,
  type Project,
  type Session,
  type Task,
  type TimelineEntry,
} from '../domain/index.js';
import type { EventsTable, ProjectsTable, SessionsTable, TasksTable, TaskTimelineTable } from './schema.js';
import type { SessionRef, SessionRow, SummaryRow, TaskRow } from './store.js';

/** Milliseconds since the epoch → ISO-8601. */
export const iso = (ms: number): string => new Date(ms).toISOString();
/** ISO-8601 → milliseconds since the epoch. */
export const ms = (value: string): number => Date.parse(value);

// Engines may hand bigint columns back as strings (pg) or numbers (sqlite); normalise once here.
const num = (v: number | string): number => (typeof v === 'number' ? v : Number(v));
const numOrNull = (v: number | string | null): number | null => (v === null ? null : num(v));
const isoOrNull = (v: number | string | null): string | null => (v === null ? null : iso(num(v)));
const msOrNull = (v: string | null): number | null => (v === null ? null : ms(v));

export function projectFromRow(r: Selectable<ProjectsTable>): Project {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    repoPath: r.repo_path,
    status: r.status as Project['status'],
    priority: num(r.priority),
    agentCommand: r.agent_command ? JSON.parse(r.agent_command) : null,
    mergeStrategy: r.merge_strategy as Project['mergeStrategy'],
    autoTaskStatus: num(r.auto_task_status) === 1,
    scheduled: num(r.scheduled) === 1,
    statusReason: r.status_reason,
    queuedAt: isoOrNull(r.queued_at),
    startedAt: isoOrNull(r.started_at),
    completedAt: isoOrNull(r.completed_at),
    createdAt: iso(num(r.created_at)),
    updatedAt: iso(num(r.updated_at)),
  };
}

export function projectToRow(p: Project): ProjectsTable {
  return {
    id: p.id,
    name: p.name,
    description: p.description,
    repo_path: p.repoPath,
    status: p.status,
    priority: p.priority,
    agent_command: p.agentCommand ? JSON.stringify(p.agentCommand) : null,
    merge_strategy: p.mergeStrategy,
    auto_task_status: p.autoTaskStatus ? 1 : 0,
    scheduled: p.scheduled ? 1 : 0,
    status_reason: p.statusReason,
    queued_at: msOrNull(p.queuedAt),
    started_at: msOrNull(p.startedAt),
    completed_at: msOrNull(p.completedAt),
    created_at: ms(p.createdAt),
    updated_at: ms(p.updatedAt),
  };
}

export function taskFromRow(r: Selectable<TasksTable>, sessionIds: string[], timeline: TimelineEntry[]): Task {
  return {
    id: r.id,
    projectId: r.project_id,
    parentId: r.parent_id,
    title: r.title,
    description: r.description,
    status: r.status as Task['status'],
    statusBy: r.status_by as Task['statusBy'],
    priority: num(r.priority),
    sessionIds,
    timeline,
    createdAt: iso(num(r.created_at)),
    updatedAt: iso(num(r.updated_at)),
    startedAt: isoOrNull(r.started_at),
    completedAt: isoOrNull(r.completed_at),
  };
}

export function taskToRow(t: TaskRow): TasksTable {
  return {
    id: t.id,
    project_id: t.projectId,
    parent_id: t.parentId,
    title: t.title,
    description: t.description,
    status: t.status,
    status_by: t.statusBy,
    priority: t.priority,
    created_at: ms(t.createdAt),
    updated_at: ms(t.updatedAt),
    started_at: msOrNull(t.startedAt),
    completed_at: msOrNull(t.completedAt),
  };
}

export function timelineFromRow(r: Selectable<TaskTimelineTable>): TimelineEntry {
  return {
    id: r.id,
    type: r.type as TimelineEntry['type'],
    timestamp: iso(num(r.at)),
    ...(r.session_id ? { sessionId: r.session_id } : {}),
    ...(r.data ? { data: JSON.parse(r.data) } : {}),
  };
}

export function timelineToRow(taskId: string, entry: TimelineEntry): TaskTimelineTable {
  return {
    id: entry.id,
    task_id: taskId,
    type: entry.type,
    at: ms(entry.timestamp),
    session_id: entry.sessionId ?? null,
    data: entry.data ? JSON.stringify(entry.data) : null,
  };
}

export function sessionFromRow(r: Selectable<SessionsTable>, taskIds: string[]): Session {
  return {
    id: r.id,
    projectId: r.project_id,
    parentSessionId: r.parent_session_id,
    role: r.role as Session['role'],
    taskIds,
    name: r.name,
    featureRequest: r.feature_request,
    status: r.status as Session['status'],
    phase: r.phase as Session['phase'],
    gitContext: JSON.parse(r.git_context),
    prdReference: r.prd_reference ? JSON.parse(r.prd_reference) : null,
    // Rows written before a counter existed read it as zero.
    statistics: { ...EMPTY_STATISTICS, ...JSON.parse(r.statistics) },
    configuration: JSON.parse(r.configuration),
    runtime: {
      kind: r.runtime_kind as Session['runtime']['kind'],
      host: r.host,
      tmuxSession: r.tmux_session,
      pid: numOrNull(r.pid),
      exitCode: numOrNull(r.exit_code),
    },
    launch: r.launch ? JSON.parse(r.launch) : null,
    output: JSON.parse(r.output),
    createdAt: iso(num(r.created_at)),
    updatedAt: iso(num(r.updated_at)),
    lastActivityAt: iso(num(r.last_activity_at)),
    messageCount: num(r.message_count),
    lastActivityDetail: r.activity_detail ?? null,
    completedAt: r.completed_at === null ? null : iso(num(r.completed_at)),
    endReason: r.end_reason as Session['endReason'],
    endNote: r.end_note,
    // An ended session's agent has exited, however it ended (bulk ends write only the status).
    ...(r.completed_at === null
      ? {
          agentState: r.agent_state as Session['agentState'],
          agentStateSince: r.agent_state_since === null ? null : iso(num(r.agent_state_since)),
          waitingFor: r.waiting_for ? JSON.parse(r.waiting_for) : null,
        }
      : {
          agentState: r.agent_state === null ? null : 'exited',
          agentStateSince: r.agent_state === null ? null : iso(num(r.completed_at)),
          waitingFor: null,
        }),
    version: num(r.version),
  };
}

export function sessionToRow(s: SessionRow, terminal: boolean): SessionsTable {
  return {
    id: s.id,
    project_id: s.projectId,
    parent_session_id: s.parentSessionId,
    role: s.role,
    name: s.name,
    feature_request: s.featureRequest,
    status: s.status,
    active: terminal ? 0 : 1,
    phase: s.phase,
    branch: s.gitContext.branch,
    git_context: JSON.stringify(s.gitContext),
    prd_reference: s.prdReference ? JSON.stringify(s.prdReference) : null,
    statistics: JSON.stringify(s.statistics),
    configuration: JSON.stringify(s.configuration),
    runtime_kind: s.runtime.kind,
    host: s.runtime.host,
    tmux_session: s.runtime.tmuxSession,
    pid: s.runtime.pid,
    exit_code: s.runtime.exitCode,
    launch: s.launch ? JSON.stringify(s.launch) : null,
    output: JSON.stringify(s.output),
    created_at: ms(s.createdAt),
    updated_at: ms(s.updatedAt),
    last_activity_at: ms(s.lastActivityAt),
    message_count: s.messageCount,
    activity_detail: s.lastActivityDetail,
    completed_at: s.completedAt === null ? null : ms(s.completedAt),
    end_reason: s.endReason,
    end_note: s.endNote,
    agent_state: s.agentState,
    agent_state_since: s.agentStateSince === null ? null : ms(s.agentStateSince),
    waiting_for: s.waitingFor ? JSON.stringify(s.waitingFor) : null,
    version: s.version,
  };
}

export function eventFromRow(r: Selectable<EventsTable>): MaestroEvent {
  return {
    seq: num(r.seq),
    id: r.id,
    type: r.type as MaestroEvent['type'],
    at: iso(num(r.at)),
    data: JSON.parse(r.data),
  };
}

/** The columns of a session that bulk passes read (see `SessionRef`). */
export interface RefRow {
  id: string;
  project_id: string;
  status: string;
  runtime_kind: string;
  exit_code: number | string | null;
  branch: string | null;
  version: number | string;
}

export function refFromRow(r: RefRow, taskIds: string[]): SessionRef {
  return {
    id: r.id,
    projectId: r.project_id,
    taskIds,
    status: r.status as SessionRef['status'],
    runtimeKind: r.runtime_kind as SessionRef['runtimeKind'],
    exitCode: numOrNull(r.exit_code),
    branch: r.branch,
    version: num(r.version),
  };
}

/** The columns of a summary (see `SUMMARY_COLUMNS`), as `sessionSummary` reads them. */
export function summaryFromRow(
  r: Pick<
    Selectable<SessionsTable>,
    | 'id'
    | 'name'
    | 'project_id'
    | 'status'
    | 'agent_state'
    | 'waiting_for'
    | 'created_at'
    | 'last_activity_at'
    | 'completed_at'
    | 'end_reason'
    | 'exit_code'
    | 'statistics'
    | 'parent_session_id'
    | 'role'
    | 'host'
    | 'version'
  >,
  taskIds: string[],
): SummaryRow {
  const ended = r.completed_at !== null;
  const statistics = JSON.parse(r.statistics) as Partial<SummaryRow['statistics']>;
  return {
    id: r.id,
    name: r.name,
    projectId: r.project_id,
    taskIds,
    status: r.status as Session['status'],
    // As sessionFromRow: an ended session's agent has exited, and waits for nothing.
    agentState: ended ? (r.agent_state === null ? null : 'exited') : (r.agent_state as Session['agentState']),
    waitingFor: !ended && r.waiting_for ? JSON.parse(r.waiting_for) : null,
    createdAt: iso(num(r.created_at)),
    lastActivityAt: iso(num(r.last_activity_at)),
    completedAt: isoOrNull(r.completed_at),
    endReason: r.end_reason as Session['endReason'],
    parentSessionId: r.parent_session_id,
    role: r.role as Session['role'],
    runtime: { exitCode: numOrNull(r.exit_code), host: r.host },
    statistics: { ...EMPTY_STATISTICS, ...statistics },
    version: num(r.version),
  };
}
