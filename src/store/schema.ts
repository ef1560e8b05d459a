import type { Generated } from 'kysely';

/**
 * Table shapes as stored. Timestamps are milliseconds since the Unix epoch (integers), so
 * deadlines compare and index cheaply on every engine; nested objects are JSON text.
 */
export interface ProjectsTable {
  id: string;
  name: string;
  description: string;
  repo_path: string;
  status: string;
  priority: number;
  agent_command: string | null;
  /** `merge_commit | fast_forward`. */
  merge_strategy: string;
  /** 1 when task statuses follow their sessions. */
  auto_task_status: number;
  scheduled: number;
  status_reason: string | null;
  queued_at: number | null;
  started_at: number | null;
  completed_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface TasksTable {
  id: string;
  project_id: string;
  parent_id: string | null;
  title: string;
  description: string;
  status: string;
  /** `person | maestro`, or null while the status is the one it was created with. */
  status_by: string | null;
  priority: number;
  created_at: number;
  updated_at: number;
  started_at: number | null;
  completed_at: number | null;
}

export interface TaskTimelineTable {
  id: string;
  task_id: string;
  type: string;
  at: number;
  session_id: string | null;
  data: string | null;
}

export interface SessionsTable {
  id: string;
  project_id: string;
  /** The session that started it, or null (cleared when that one is deleted). */
  parent_session_id: string | null;
  /** `orchestrator | worker`. */
  role: string;
  name: string;
  feature_request: string;
  status: string;
  /** 1 while the session is not terminal; indexed with `last_activity_at` for the inactivity sweep. */
  active: number;
  phase: string | null;
  branch: string | null;
  git_context: string;
  prd_reference: string | null;
  statistics: string;
  configuration: string;
  runtime_kind: string;
  host: string | null;
  tmux_session: string | null;
  pid: number | null;
  exit_code: number | null;
  output: string;
  created_at: number;
  updated_at: number;
  last_activity_at: number;
  message_count: number;
  completed_at: number | null;
  end_reason: string | null;
  end_note: string | null;
  /** What the agent is doing (`starting | working | waiting | idle | exited`); null for a session with no runtime that never reported. */
  agent_state: string | null;
  /** Since when, in milliseconds since the epoch. */
  agent_state_since: number | null;
  /** `{reason, message, choices?}` as JSON text while waiting; null otherwise. */
  waiting_for: string | null;
  /** What the agent was last seen doing (a tool name), or null. */
  activity_detail: string | null;
  /** `{command, cwd, agent, restartOf}` as JSON text; null for a record Maestro did not spawn. */
  launch: string | null;
  version: number;
}

export interface TaskSessionsTable {
  task_id: string;
  session_id: string;
  created_at: number;
}

export interface EventsTable {
  seq: Generated<number>;
  id: string;
  type: string;
  at: number;
  data: string;
}

/** Events of committed transactions waiting for their place in `events` (PostgreSQL; migration 0012). */
export interface EventOutboxTable {
  n: Generated<number>;
  id: string;
  type: string;
  at: number;
  data: string;
}

/** Time-bounded leadership (migration 0012): holder, fencing token, expiry in ms by the database's clock. */
export interface LeasesTable {
  name: string;
  holder: string;
  token: number;
  expires_at: number;
}

export interface MetaTable {
  key: string;
  value: string;
}

export interface NodesTable {
  host: string;
  heartbeat_at: number;
  /** Where the node answers (`MAESTRO_ADVERTISE_URL`); null before it said. */
  url: string | null;
}

export interface Database {
  nodes: NodesTable;
  meta: MetaTable;
  projects: ProjectsTable;
  tasks: TasksTable;
  task_timeline: TaskTimelineTable;
  sessions: SessionsTable;
  task_sessions: TaskSessionsTable;
  events: EventsTable;
  event_outbox: EventOutboxTable;
  leases: LeasesTable;
}
