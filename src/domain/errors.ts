/**
 * Maestro's error classes. Each carries a stable `code` and structured `details`;
 * the server maps each class to exactly one HTTP status in `server/errors.ts`.
 */

/** A field that failed validation: its dotted path and what was expected. */
export interface FieldIssue {
  /** Dotted path of the offending field, e.g. `body.statistics.totalTasks`. */
  path: string;
  /** What was expected, in words. */
  message: string;
}

/** Base class of every error Maestro throws on purpose. */
export class MaestroError extends Error {
  /** Stable machine-readable code, e.g. `not_found`. */
  readonly code: string;
  /** Structured data about the failure (ids, states, limits, field issues). */
  readonly details: Record<string, unknown>;

  constructor(code: string, message: string, details: Record<string, unknown> = {}, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.details = details;
  }
}

/** The requested entity does not exist. */
export class NotFoundError extends MaestroError {
  constructor(entity: string, id: string) {
    super('not_found', `${entity} ${id} not found`, { entity, id });
  }
}

/** Input failed validation; `details.issues` lists every failing field. */
export class ValidationError extends MaestroError {
  readonly issues: FieldIssue[];
  constructor(issues: FieldIssue[], message?: string) {
    super('validation_failed', message ?? describeIssues(issues), { issues });
    this.issues = issues;
  }
}

/** A session state change not allowed by the state machine (docs/design.md §Session state machine). */
export class InvalidTransitionError extends MaestroError {
  constructor(sessionId: string, from: string, to: string, allowed: readonly string[]) {
    const allowedText = allowed.length > 0 ? allowed.join(', ') : 'none (terminal state)';
    super('invalid_transition', `session ${sessionId} cannot go from ${from} to ${to}; allowed from ${from}: ${allowedText}`, {
      sessionId,
      from,
      to,
      allowed,
    });
  }
}

/** A concurrency limit would be exceeded (docs/design.md §Lifecycle guarantees (G5)). */
export class LimitExceededError extends MaestroError {
  constructor(what: string, limit: number, current: number, extra: Record<string, unknown> = {}) {
    super('limit_exceeded', `${what} limit reached: ${current} of ${limit} in use`, { limit, current, ...extra });
  }
}

/** The write conflicts with existing state (duplicate id, stale version). */
export class ConflictError extends MaestroError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('conflict', message, details);
  }
}

/**
 * Why a node could not hand a request over to the node that runs its session: that node never
 * said where it answers (`address_unknown`), has not heartbeated within `MAESTRO_NODE_TIMEOUT_SECS`
 * (`node_down`), could not be connected to (`unreachable`), did not answer in time (`no_answer`),
 * or the request was already forwarded once, to a node that does not run it either (`forwarded`).
 */
export type WrongNodeReason = 'address_unknown' | 'node_down' | 'unreachable' | 'no_answer' | 'forwarded';

/**
 * A request that only the node running a session can serve (it needs that node's tmux, transcript
 * or worktree) reached another node, which could not forward it there (docs/design.md §Nodes)
 * (409). Never answered with empty data instead: the caller learns which node to ask.
 */
export class WrongNodeError extends MaestroError {
  /**
   * @param where the session, the node that runs it and its advertised URL (null: unknown), and
   *   the node that refuses
   * @param reason what went wrong; `why` says it in words, `extra` adds details (the heartbeat's age)
   */
  constructor(
    where: { sessionId: string; node: string; url: string | null; thisNode: string },
    reason: WrongNodeReason,
    why: string,
    extra: Record<string, unknown> = {},
  ) {
    const { sessionId, node, url, thisNode } = where;
    super(
      'wrong_node',
      `session ${sessionId} runs on node ${node} (${url ?? 'address unknown'}), and only that node can serve this request; this node (${thisNode}) could not forward it: ${why}`,
      { sessionId, node, url, thisNode, reason, ...extra },
    );
  }
}

/** A spawn names a program that cannot run: not on `PATH`, or not an executable file (400). */
export class CommandNotFoundError extends MaestroError {
  constructor(program: string, why: string) {
    super('command_not_found', `cannot start "${program}": ${why}`, { program });
  }
}

/**
 * The database cannot take writes: `storage_full` (the disk or the database's size limit is full)
 * or `storage_read_only` (the file, its directory or the server is read-only). Reads still work.
 */
export class StorageError extends MaestroError {
  constructor(code: 'storage_full' | 'storage_read_only', message: string, options?: ErrorOptions) {
    super(code, message, {}, options);
  }
}

/**
 * A leader-only write carried a fencing token that is no longer the leader lease's: another node
 * took the lease over, and the write changed nothing (docs/design.md §Leader election).
 */
export class StaleLeaseError extends MaestroError {
  constructor(token: number, current: number | null) {
    super('stale_lease', `leader lease ${token} is stale (now ${current ?? 'none'}): another node leads`, { token, current });
  }
}

/** Wraps an unknown thrown value so that every error Maestro surfaces is a `MaestroError`. */
export function toMaestroError(err: unknown): MaestroError {
  if (err instanceof MaestroError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new MaestroError('internal', message, {}, { cause: err });
}

function describeIssues(issues: FieldIssue[]): string {
  if (issues.length === 0) return 'invalid input';
  const first = issues[0] as FieldIssue;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  return `${first.path || 'input'}: ${first.message}${more}`;
}

/**
 * Whether `err` says the session was already ended or deleted: for background passes that race
 * with users, the goal is then reached, not failed.
 */
export function isAlreadyGone(err: unknown): boolean {
  return err instanceof MaestroError && (err.code === 'invalid_transition' || err.code === 'not_found');
}
