/** Length limits on user-supplied text, so no single field can bloat a row or an event. */
export const LIMITS = {
  /** Names and titles, in characters. */
  name: 200,
  /** Descriptions and feature requests, in characters. */
  text: 20_000,
  /** Paths (repo, cwd, PRD), in characters. */
  path: 4096,
  /** Items in a list argument (task ids, command arguments). */
  listItems: 100,
  /** A single command argument or environment value, in characters. */
  argument: 8192,
  /** Output lines kept with a session when its runtime ends (docs/design.md §Lifecycle guarantees (G7)). */
  outputLines: 200,
} as const;

/** Longest a single wait request holds, in seconds: below the server's 60 s request timeout (clients ask again). */
export const MAX_WAIT_SECS = 50;
