/** An error answer from the Maestro API, with the server's `code` and `details`. */
export class MaestroApiError extends Error {
  constructor(
    /** HTTP status. */
    readonly status: number,
    /** The server's error code, e.g. `not_found`, `validation_failed`, `invalid_transition`, `limit_exceeded`, `wrong_node` (`details` names the node that runs the session and its URL). */
    readonly code: string,
    message: string,
    /** Structured details; for validation errors `details.issues` lists `{path, message}`. */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'MaestroApiError';
  }
}
