import { z } from 'zod';
import { eventTypesParam } from './event-filter.js';
import { LIMITS } from './limits.js';
import { projectIdSchema, projectSchema } from './project.js';
import { booleanFlag, sessionIdSchema, tokensSchema } from './session.js';
import { sessionListItemSchema, sessionSummarySchema } from './session-summary.js';
import { timelineEntrySchema } from './task.js';

// The shapes the API answers with besides the records themselves (docs/design.md §Wire conventions).
// They are the routes' response schemas (src/domain/api.ts), so the server serialises through them
// and the client's types are inferred from them: one definition for both ends.

/** The one JSON shape of every error answer: `details.issues` lists `{path, message}` for validation errors. */
export const errorBodySchema = z.object({
  error: z.literal(true),
  code: z.string(),
  message: z.string(),
  details: z.record(z.string(), z.unknown()),
});
export type ErrorBody = z.output<typeof errorBodySchema>;

/** A background loop failing now: since when (ISO 8601), how many passes in a row, the last message. */
export const loopFailureSchema = z.object({
  /** The loop's name: `sweeper`, `scheduler`, `reconciler`, `leader election`. */
  loop: z.string(),
  /** When its first failing pass in a row ended (ISO 8601, from the injected clock). */
  since: z.string(),
  /** Failing passes in a row. */
  failures: z.number().int(),
  /** The last error's message. */
  message: z.string(),
});
export type LoopFailure = z.output<typeof loopFailureSchema>;

const ageSecs = z.number().nullable();

/** Server health (`GET /api/health`). Ages are in seconds, of sessions not yet ended; durations in milliseconds. */
export const healthSchema = z.object({
  /** False when something needs a person: then `problems` says what, in words. */
  ok: z.boolean(),
  problems: z.array(z.string()),
  engine: z.string(),
  /** Whether this node leads (runs the sweeper and the scheduler). */
  leader: z.boolean(),
  seq: z.number().int(),
  sessions: z.object({
    total: z.number().int(),
    active: z.number().int(),
    byStatus: z.record(z.string(), z.number().int()),
    /** Live sessions by agent state (docs/design.md §Agent state): `waiting` is how many wait for their user. */
    byAgentState: z.record(z.string(), z.number().int()),
    oldestAgeSecs: ageSecs,
    newestAgeSecs: ageSecs,
    averageAgeSecs: ageSecs,
  }),
  runtime: z.object({
    kind: z.literal('tmux'),
    host: z.string(),
    tmuxSocket: z.string(),
    /** The last reconcile pass: whether it could check tmux, and why not. */
    lastReconcile: z.object({ checked: z.boolean(), error: z.string().nullable(), durationMs: z.number() }).nullable(),
  }),
  lastSweep: z
    .object({ at: z.string(), durationMs: z.number(), timedOut: z.number().int(), purged: z.number().int() })
    .nullable(),
  /** Background loops failing now. */
  failingLoops: z.array(loopFailureSchema),
});
export type Health = z.output<typeof healthSchema>;

/** A worktree kept when its session was purged, because it held uncommitted or unmerged work. */
export const keptWorktreeSchema = z.object({ sessionId: z.string(), path: z.string(), reason: z.string() });
export type KeptWorktree = z.output<typeof keptWorktreeSchema>;

/** What a sweep did, or in a dry run would do (`POST /api/maintenance/cleanup`). */
export const sweepReportSchema = z.object({
  /** When the sweep started (ISO-8601, from the injected clock). */
  at: z.string(),
  /** How long it took, in milliseconds (wall time). */
  durationMs: z.number(),
  dryRun: z.boolean(),
  /** Sessions ended for inactivity. */
  timedOut: z.number().int(),
  /** Ended sessions purged after their retention. */
  purged: z.number().int(),
  /** Their ids (at most 1000 each in a dry run). */
  timedOutIds: z.array(z.string()),
  purgedIds: z.array(z.string()),
  worktreesKept: z.array(keptWorktreeSchema),
  /** Sessions of nodes silent past the node-lost timeout, ended as lost. */
  lostNodeSessions: z.array(z.string()),
  /** Events pruned from the log (beyond its retention). */
  eventsPruned: z.number().int(),
});
export type SweepReport = z.output<typeof sweepReportSchema>;

/** Body of `POST /api/maintenance/cleanup`: a dry run changes nothing; `limit` caps the purge of this call. */
export const cleanupInput = z.strictObject({
  dryRun: z.boolean().default(false),
  /** Purge at most this many ended sessions in this call. */
  limit: z.number().int().min(1).max(1_000_000).optional(),
});
export type CleanupInput = z.input<typeof cleanupInput>;

/** The project queue (`GET /api/queue`): running projects, highest priority first, then queued ones in start order. */
export const queueViewSchema = z.object({
  paused: z.boolean(),
  running: z.array(projectSchema),
  queued: z.array(projectSchema),
});
export type QueueView = z.output<typeof queueViewSchema>;

/** What deleting a project removed (`DELETE /api/projects/:id`). */
export const projectDeletionSchema = z.object({
  id: z.string(),
  /** Its sessions, deleted with the full cascade. */
  sessions: z.number().int(),
  /** Of those, the live ones whose tmux session was killed. */
  killed: z.number().int(),
  /** Its tasks, with their timelines. */
  tasks: z.number().int(),
});
export type ProjectDeletion = z.output<typeof projectDeletionSchema>;

/** What every page of sessions carries beside them. */
const pageFields = {
  /** The event sequence the page is consistent with: watch from it to stay current. */
  seq: z.number().int(),
  /** How many sessions match the filters in all. */
  total: z.number().int(),
  /** The cursor of the next page; null on the last. */
  nextCursor: z.string().nullable(),
};

/**
 * A page of sessions: summaries (`view: 'summary'`) or full rows (`view: 'full'`). The view is
 * named in the answer so that each page is checked against its one schema, and typed clients
 * know which they hold.
 */
export const sessionListSchema = z.discriminatedUnion('view', [
  z.object({ view: z.literal('summary'), sessions: z.array(sessionSummarySchema), ...pageFields }),
  z.object({ view: z.literal('full'), sessions: z.array(sessionListItemSchema), ...pageFields }),
]);
export type SessionList = z.output<typeof sessionListSchema>;
/** A page of summaries (`view=summary`, the default). */
export type SessionSummaryList = Extract<SessionList, { view: 'summary' }>;
/** A page of full rows (`view=full`). */
export type SessionFullList = Extract<SessionList, { view: 'full' }>;

/** A session's last output lines; `live` when read from its running tmux session. */
export const sessionOutputSchema = z.object({ live: z.boolean(), lines: z.array(z.string()) });
export type SessionOutput = z.output<typeof sessionOutputSchema>;

/** Query of `GET /api/sessions/:id/output`: how many lines, newest last. */
export const outputQuery = z.strictObject({
  lines: z.coerce
    .number()
    .int()
    .min(1)
    .max(LIMITS.outputLines * 10)
    .default(LIMITS.outputLines),
});

const usageLine = z.object({ sessions: z.number().int(), tokens: tokensSchema, costUsd: z.number() });

/**
 * `GET /api/usage`: tokens and estimated cost (US dollars) of the stored sessions, in total, per
 * project and per model (the model each session used last); sessions without usage are left out.
 */
export const usageSummarySchema = z.object({
  total: usageLine,
  byProject: z.array(usageLine.extend({ projectId: z.string() })),
  byModel: z.array(usageLine.extend({ model: z.string() })),
});
export type UsageSummary = z.output<typeof usageSummarySchema>;

/** Query of `GET /api/sessions/:id/diff`: `stat` leaves the hunks out; `context` lines around each change. */
export const diffQuery = z.strictObject({
  stat: booleanFlag.default(false),
  context: z.coerce.number().int().min(0).max(100).default(3),
});

/** How a file changed. */
export const DIFF_STATUSES = ['added', 'modified', 'deleted', 'renamed', 'binary'] as const;

/**
 * `GET /api/sessions/:id/diff`: what the session changed since the commit it started from
 * (`base`), per file: its path (and the old one when renamed), how it changed, lines inserted and
 * deleted, and its unified hunks (null with `stat`, for a binary file, or past the limits:
 * `truncated` says so).
 */
export const sessionDiffSchema = z.object({
  base: z.string(),
  directory: z.string(),
  files: z.array(
    z.object({
      path: z.string(),
      oldPath: z.string().nullable(),
      status: z.enum(DIFF_STATUSES),
      insertions: z.number().int(),
      deletions: z.number().int(),
      hunks: z.string().nullable(),
      truncated: z.boolean(),
    }),
  ),
  totals: z.object({ files: z.number().int(), insertions: z.number().int(), deletions: z.number().int() }),
  /** Some hunks were left out to stay within the limits (see the README). */
  truncated: z.boolean(),
});
export type SessionDiff = z.output<typeof sessionDiffSchema>;

/** Query of `GET /api/sessions/:id/log`: `follow` goes on sending what the session prints until it ends. */
export const logQuery = z.strictObject({ follow: booleanFlag.default(false) });

/** A terminal size in character cells, as a query field. */
const cells = (max: number, fallback: number) => z.coerce.number().int().min(2).max(max).default(fallback);

/** Query of the `GET /api/sessions/:id/terminal` WebSocket: its first size, and watch-only. */
export const terminalQuery = z.strictObject({
  cols: cells(500, 120),
  rows: cells(200, 40),
  readOnly: booleanFlag.default(false),
});

/**
 * A message from a browser terminal (text frames, JSON): keys typed (`data`, as the terminal
 * encodes them), or its new size in character cells.
 */
export const terminalMessage = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('input'), data: z.string().max(LIMITS.text) }),
  z.strictObject({
    type: z.literal('resize'),
    cols: z.number().int().min(2).max(500),
    rows: z.number().int().min(2).max(200),
  }),
]);
export type TerminalMessage = z.output<typeof terminalMessage>;

/**
 * Query of the `GET /api/events` WebSocket: replay every event after `since` first; only events
 * about `sessionId`, about `projectId`, of `types` (docs/design.md §Delivery and resync).
 */
export const eventsQuery = z.strictObject({
  since: z.coerce.number().int().min(0).optional(),
  sessionId: sessionIdSchema.optional(),
  projectId: projectIdSchema.optional(),
  types: eventTypesParam.optional(),
});

/** A task's timeline (`GET /api/tasks/:id/timeline`), oldest first. */
export const timelineSchema = z.object({ timeline: z.array(timelineEntrySchema) });

/** Path parameters of a route on one record. */
export const idParams = z.strictObject({ id: z.string() });
/** Path parameters of a session's link to a task. */
export const linkParams = z.strictObject({ id: z.string(), taskId: z.string() });

/** The response of a 204: no body. */
export const noContent = z.undefined();
