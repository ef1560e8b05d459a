import { InvalidTransitionError } from './errors.js';

/** Session workflow states (docs/design.md §Session state machine). */
export const SessionStatus = {
  initializing: 'initializing',
  planning: 'planning',
  generating_tasks: 'generating_tasks',
  implementing: 'implementing',
  validating: 'validating',
  generating_report: 'generating_report',
  paused: 'paused',
  completed: 'completed',
  failed: 'failed',
} as const;
export type SessionStatus = (typeof SessionStatus)[keyof typeof SessionStatus];
export const SESSION_STATUSES = Object.values(SessionStatus) as [SessionStatus, ...SessionStatus[]];

/**
 * Why a session ended. `completed`: the agent (or its exit code 0) says it is done; `stopped`: a
 * person ended it; `killed`: Maestro did (its project finished, a limit); `terminal_closed`: its
 * command exited; `timed_out`, `lost`, `deleted` as the lifecycle says (docs/design.md §Ending a session).
 */
export const EndReason = {
  completed: 'completed',
  stopped: 'stopped',
  failed: 'failed',
  terminal_closed: 'terminal_closed',
  timed_out: 'timed_out',
  killed: 'killed',
  lost: 'lost',
  deleted: 'deleted',
} as const;
export type EndReason = (typeof EndReason)[keyof typeof EndReason];
export const END_REASONS = Object.values(EndReason) as [EndReason, ...EndReason[]];

/** Work inside the workflow, free to set within the current status. */
export const SessionPhase = {
  plan: 'plan',
  generate_tasks: 'generate_tasks',
  implement: 'implement',
  validate: 'validate',
  report: 'report',
} as const;
export type SessionPhase = (typeof SessionPhase)[keyof typeof SessionPhase];
export const SESSION_PHASES = Object.values(SessionPhase) as [SessionPhase, ...SessionPhase[]];

const S = SessionStatus;

/**
 * The allowed workflow moves, exactly the table of docs/design.md §Workflow transitions. Ending (`completed`/`failed` from any
 * non-terminal state) is a separate operation, {@link endStatusFor}, not a row of this table.
 */
export const SESSION_TRANSITIONS: Readonly<Record<SessionStatus, readonly SessionStatus[]>> = {
  initializing: [S.planning, S.failed, S.paused],
  planning: [S.generating_tasks, S.failed, S.paused],
  generating_tasks: [S.implementing, S.failed, S.paused],
  implementing: [S.validating, S.failed, S.paused],
  validating: [S.generating_report, S.implementing, S.failed, S.paused],
  generating_report: [S.completed, S.failed, S.paused],
  paused: [S.planning, S.generating_tasks, S.implementing, S.validating, S.generating_report, S.failed, S.completed],
  completed: [],
  failed: [],
};

/** Terminal states: no move leaves them. */
export const TERMINAL_STATUSES: readonly SessionStatus[] = [S.completed, S.failed];

/** Whether `status` is terminal (`completed` or `failed`). */
export function isTerminal(status: SessionStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

/** Whether the table allows the workflow move `from → to`. */
export function canTransition(from: SessionStatus, to: SessionStatus): boolean {
  return SESSION_TRANSITIONS[from].includes(to);
}

/**
 * Checks a workflow move against the table and returns the new status.
 * @throws InvalidTransitionError naming the current state and the allowed ones, when the table forbids it.
 */
export function transition(sessionId: string, from: SessionStatus, to: SessionStatus): SessionStatus {
  if (!canTransition(from, to)) {
    throw new InvalidTransitionError(sessionId, from, to, SESSION_TRANSITIONS[from]);
  }
  return to;
}

/**
 * The terminal status an ending lands in (docs/design.md §Ending a session): `completed` when the agent's command exited 0
 * or a user completed it explicitly, otherwise `failed`.
 * @param reason why the session ended
 * @param exitCode the command's exit code when known
 */
export function endStatusFor(reason: EndReason, exitCode?: number | null): SessionStatus {
  // A person stopping an agent is not a failure, though not a sign its work is done either (see agentFinished).
  if (reason === EndReason.completed || reason === EndReason.stopped) return S.completed;
  if (reason === EndReason.terminal_closed && exitCode === 0) return S.completed;
  return S.failed;
}

/**
 * Whether an end says the agent's work is done: it was ended `completed`, or its command exited 0.
 * A person's `stopped` is not (docs/design.md §Task status: only such ends move a task to `in_review`).
 */
export function agentFinished(reason: EndReason | null, exitCode: number | null): boolean {
  return reason === EndReason.completed || (reason === EndReason.terminal_closed && exitCode === 0);
}

/**
 * Checks that a session in `from` may be ended, and returns the terminal status it ends in.
 * @throws InvalidTransitionError when the session already ended.
 */
export function end(sessionId: string, from: SessionStatus, reason: EndReason, exitCode?: number | null): SessionStatus {
  if (isTerminal(from)) {
    throw new InvalidTransitionError(sessionId, from, endStatusFor(reason, exitCode), []);
  }
  return endStatusFor(reason, exitCode);
}
