import { z } from 'zod';
import { AGENT_KINDS, AGENT_STATES, WAITING_REASONS, waitingForSchema } from './agent.js';
import { commandSchema } from './command.js';
import { ValidationError } from './errors.js';
import { idPattern } from './ids.js';
import { LIMITS, MAX_WAIT_SECS } from './limits.js';
import { projectIdSchema } from './project.js';
import { END_REASONS, SESSION_PHASES, SESSION_STATUSES } from './session-state.js';
import { taskIdSchema } from './task.js';

/** What the start of an id may look like (`?idPrefix=`): the characters of an id, at most its length. */
export const ID_START = /^[A-Za-z0-9_-]{1,80}$/;

export const sessionIdSchema = z.string().regex(idPattern('session'), 'expected a session id: sess_ followed by [A-Za-z0-9_-]');

const count = z.number().int().min(0);

/** The repository state a session works on, captured at spawn. */
export const gitContextSchema = z.strictObject({
  branch: z.string().max(LIMITS.name).nullable(),
  commit: z.string().max(LIMITS.name).nullable(),
  repoRoot: z.string().max(LIMITS.path).nullable(),
  isWorktree: z.boolean(),
  worktreeName: z.string().max(LIMITS.name).nullable(),
});
export type GitContext = z.infer<typeof gitContextSchema>;
export const EMPTY_GIT_CONTEXT: GitContext = {
  branch: null,
  commit: null,
  repoRoot: null,
  isWorktree: false,
  worktreeName: null,
};

/** The PRD a session implements. */
export const prdReferenceSchema = z.strictObject({
  filename: z.string().max(LIMITS.name),
  path: z.string().max(LIMITS.path),
  version: z.string().max(LIMITS.name).nullable().default(null),
});
export type PrdReference = z.output<typeof prdReferenceSchema>;

/** Tokens an agent used, by kind: `input` without cached tokens, cache reads, cache writes, output. */
export const tokensSchema = z.strictObject({ input: count, output: count, cacheRead: count, cacheWrite: count });

/**
 * Counters an agent reports; `durationSeconds` is in seconds. `tokens`, `model` and `costUsd`
 * (an estimate, US dollars, from the price table) are read from the agent's own transcript
 * (docs/design.md §Tokens and cost).
 */
export const statisticsSchema = z.strictObject({
  totalTasks: count,
  completedTasks: count,
  failedTasks: count,
  decisionsMade: count,
  checkpointsCreated: count,
  errorRecoveryCount: count,
  durationSeconds: count,
  tokens: tokensSchema,
  model: z.string().max(LIMITS.name).nullable(),
  costUsd: z.number().min(0),
});
export type Statistics = z.infer<typeof statisticsSchema>;
export const EMPTY_STATISTICS: Statistics = {
  totalTasks: 0,
  completedTasks: 0,
  failedTasks: 0,
  decisionsMade: 0,
  checkpointsCreated: 0,
  errorRecoveryCount: 0,
  durationSeconds: 0,
  tokens: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
  model: null,
  costUsd: 0,
};

/** Agent configuration; `timeoutMinutes` is in minutes. */
export const configurationSchema = z.strictObject({
  maxIterations: z.number().int().min(1).max(1_000_000).nullable(),
  timeoutMinutes: z.number().int().min(1).max(525_600).nullable(),
  autoCheckpoint: z.boolean(),
  errorRecoveryEnabled: z.boolean(),
});
export type Configuration = z.infer<typeof configurationSchema>;
export const DEFAULT_CONFIGURATION: Configuration = {
  maxIterations: null,
  timeoutMinutes: null,
  autoCheckpoint: false,
  errorRecoveryEnabled: true,
};

/**
 * How Maestro started a session (null for a record it did not spawn): the command, the directory,
 * the agent it runs, and the session it restarted, if any. The spawn's extra environment is not
 * kept (it may hold secrets).
 */
export const launchSchema = z.strictObject({
  command: z.array(z.string()),
  cwd: z.string(),
  agent: z.enum(AGENT_KINDS),
  restartOf: z.string().nullable(),
});
export type Launch = z.infer<typeof launchSchema>;

/** Where the session runs: a tmux session Maestro owns, or nothing Maestro manages. */
export const runtimeSchema = z.object({
  kind: z.enum(['tmux', 'none']),
  /** True while the node running it stopped heartbeating: not known dead, not known alive (computed on read). */
  unreachable: z.boolean().optional(),
  host: z.string().nullable(),
  tmuxSession: z.string().nullable(),
  pid: z.number().int().nullable(),
  exitCode: z.number().int().nullable(),
});
export type SessionRuntime = z.infer<typeof runtimeSchema>;

/**
 * Body of `POST /api/sessions/:id/needs-input`: an agent's own report that it waits for its user
 * (a hook). `idle` is the older name of `idle_prompt`.
 */
export const needsInputInput = z.strictObject({
  reason: z.enum([...WAITING_REASONS, 'idle']).transform((r) => (r === 'idle' ? 'idle_prompt' : r)),
  message: z.string().max(LIMITS.text).optional(),
  choices: z.array(z.string().max(LIMITS.name)).max(LIMITS.listItems).optional(),
});
export type NeedsInputInput = z.input<typeof needsInputInput>;

/**
 * What a session is in a tree of agents: an `orchestrator` starts and drives others, a `worker`
 * (the default) does one piece of work (the setup of the tmux orchestrator and Agent Maestro).
 */
export const SESSION_ROLES = ['orchestrator', 'worker'] as const;
export type SessionRole = (typeof SESSION_ROLES)[number];

/** A session as the API returns it. Timestamps are ISO-8601 strings. */
export const sessionSchema = z.object({
  id: sessionIdSchema,
  projectId: projectIdSchema,
  /** The session that started this one (an orchestrating agent), or null; cleared when that one is deleted. */
  parentSessionId: sessionIdSchema.nullable(),
  role: z.enum(SESSION_ROLES),
  taskIds: z.array(z.string()),
  name: z.string(),
  featureRequest: z.string(),
  status: z.enum(SESSION_STATUSES),
  phase: z.enum(SESSION_PHASES).nullable(),
  gitContext: gitContextSchema,
  prdReference: prdReferenceSchema.nullable(),
  statistics: statisticsSchema,
  configuration: configurationSchema,
  runtime: runtimeSchema,
  launch: launchSchema.nullable(),
  output: z.array(z.string()),
  createdAt: z.string(),
  updatedAt: z.string(),
  lastActivityAt: z.string(),
  messageCount: z.number().int(),
  /** What the agent was last seen doing, from its hooks (the tool it ran: `Bash`, `Edit`…); null when unknown. */
  lastActivityDetail: z.string().nullable(),
  completedAt: z.string().nullable(),
  endReason: z.enum(END_REASONS).nullable(),
  /** What the person or agent that ended it said about why (`end --note`), or null. */
  endNote: z.string().nullable(),
  /** What the agent is doing now (docs/design.md §Agent state); null for a session with no runtime that never reported. */
  agentState: z.enum(AGENT_STATES).nullable(),
  /** Since when (ISO-8601); null with `agentState`. */
  agentStateSince: z.string().nullable(),
  /** What it waits for, while `agentState` is `waiting`; null otherwise. */
  waitingFor: waitingForSchema.nullable(),
  version: z.number().int(),
});
export type Session = z.infer<typeof sessionSchema>;

/**
 * Body of `POST /api/sessions/import`: a session as `maestro session export` writes it, refused
 * with an unknown field at any level like every other body, and bounded like the fields it came
 * from. Its runtime is not trusted (see `SessionService.importMetadata`).
 */
export const importSessionInput = z.strictObject({
  ...sessionSchema.shape,
  taskIds: z.array(taskIdSchema).max(LIMITS.listItems),
  name: z.string().max(LIMITS.name),
  featureRequest: z.string().max(LIMITS.text),
  runtime: z.strictObject(runtimeSchema.shape),
  output: z.array(z.string().max(LIMITS.argument)).max(LIMITS.outputLines),
  // Fields newer than some exports: absent, they read as unknown.
  agentState: sessionSchema.shape.agentState.default(null),
  agentStateSince: z.string().max(LIMITS.name).nullable().default(null),
  waitingFor: z
    .strictObject({
      reason: z.enum(WAITING_REASONS),
      message: z.string().max(LIMITS.text),
      choices: z.array(z.string().max(LIMITS.name)).max(LIMITS.listItems).optional(),
    })
    .nullable()
    .default(null),
  /** Exports made before migration 0007 carry it; the agent state replaced it (ignored). */
  needsInput: z.unknown().optional(),
  createdAt: z.string().max(LIMITS.name),
  updatedAt: z.string().max(LIMITS.name),
  lastActivityAt: z.string().max(LIMITS.name),
  lastActivityDetail: z.string().max(LIMITS.name).nullable().default(null),
  completedAt: z.string().max(LIMITS.name).nullable(),
  parentSessionId: sessionIdSchema.nullable().default(null),
  role: sessionSchema.shape.role.default('worker'),
  endNote: z.string().max(LIMITS.text).nullable().default(null),
});

/** Folds the `taskId` shorthand into `taskIds`, without duplicates. */
function mergeTaskIds<T extends { taskId?: string | undefined; taskIds?: string[] | undefined }>({
  taskId,
  taskIds,
  ...rest
}: T): Omit<T, 'taskId' | 'taskIds'> & { taskIds: string[] } {
  return { ...rest, taskIds: [...new Set([...(taskIds ?? []), ...(taskId ? [taskId] : [])])] };
}

const taskIdsField = z.array(taskIdSchema).max(LIMITS.listItems);

/** Fields every new session may be given, by `POST /api/sessions` and `POST /api/sessions/spawn`. */
const newSessionFields = {
  id: sessionIdSchema.optional(),
  projectId: projectIdSchema,
  taskIds: taskIdsField.optional(),
  taskId: taskIdSchema.optional(),
  name: z.string().trim().min(1).max(LIMITS.name).optional(),
  featureRequest: z.string().max(LIMITS.text).default(''),
  /** The session that starts this one (the CLI fills it from `MAESTRO_SESSION_ID` inside a session). */
  parentSessionId: sessionIdSchema.optional(),
  /** Default `worker`. */
  role: z.enum(SESSION_ROLES).optional(),
};

/**
 * Body of `POST /api/sessions`. `taskId` is shorthand for `taskIds: [taskId]` (docs/design.md §Wire conventions).
 */
export const createSessionInput = z
  .strictObject({
    ...newSessionFields,
    phase: z.enum(SESSION_PHASES).nullable().default(null),
    gitContext: gitContextSchema.partial().optional(),
    prdReference: prdReferenceSchema.nullable().default(null),
    statistics: statisticsSchema.partial().optional(),
    configuration: configurationSchema.partial().optional(),
  })
  .transform(mergeTaskIds);
export type CreateSessionInput = z.input<typeof createSessionInput>;
export type CreateSessionData = z.output<typeof createSessionInput>;

/**
 * Body of `PATCH /api/sessions/:id`. `statistics` and `configuration` are merged into the stored
 * values field by field, never replaced whole. Status changes go through `/transition`.
 */
export const updateSessionInput = z.strictObject({
  /** Optimistic concurrency: apply only if the session is still at this version (else 409). */
  version: z.number().int().min(1).optional(),
  name: z.string().trim().min(1).max(LIMITS.name).optional(),
  featureRequest: z.string().max(LIMITS.text).optional(),
  phase: z.enum(SESSION_PHASES).nullable().optional(),
  gitContext: gitContextSchema.partial().optional(),
  prdReference: prdReferenceSchema.nullable().optional(),
  statistics: statisticsSchema.partial().optional(),
  configuration: configurationSchema.partial().optional(),
});
export type UpdateSessionInput = z.input<typeof updateSessionInput>;

/** Body of `POST /api/sessions/:id/transition`. */
export const transitionInput = z.strictObject({
  /** Optimistic concurrency: apply only if the session is still at this version (else 409). */
  version: z.number().int().min(1).optional(),
  status: z.enum(SESSION_STATUSES),
  phase: z.enum(SESSION_PHASES).nullable().optional(),
});
export type TransitionInput = z.input<typeof transitionInput>;

/**
 * Body of `POST /api/sessions/:id/finish`: what to do with the session's worktree — `merge` it into
 * the main checkout's branch, `keep` its branch, or `discard` it; `message` for what is committed
 * (default: its task's title, else its name).
 */
export const finishInput = z.strictObject({
  action: z.enum(['merge', 'keep', 'discard']),
  message: z.string().trim().min(1).max(LIMITS.text).optional(),
  /** Fast-forward when it can (`git merge --ff`) or always a merge commit (`--no-ff`); default: the project's `mergeStrategy`. */
  fastForward: z.boolean().optional(),
});
export type FinishInput = z.input<typeof finishInput>;

/** Body of `POST /api/sessions/:id/end`. */
export const endInput = z.strictObject({
  /** Default `stopped`: a person ended it. `completed` says the agent's work is done. */
  reason: z.enum(END_REASONS).default('stopped'),
  /** Free text kept with the end (why it was stopped, what is left). */
  note: z.string().trim().max(LIMITS.text).optional(),
  exitCode: z.number().int().nullable().optional(),
  /** End only if the session is still at this version (409 `conflict` otherwise). */
  version: z.number().int().min(0).optional(),
});
export type EndInput = z.input<typeof endInput>;

/**
 * Named keys `POST /api/sessions/:id/input` may press, as tmux names them (tmux(1), KEY
 * BINDINGS): a fixed list, so no text is ever read as a key name.
 */
export const INPUT_KEYS = [
  'Enter',
  'Escape',
  'Tab',
  'BTab',
  'Space',
  'BSpace',
  'Up',
  'Down',
  'Left',
  'Right',
  'Home',
  'End',
  'PageUp',
  'PageDown',
  'C-c',
  'C-d',
  'C-z',
  'C-l',
  'C-u',
  'C-r',
] as const;
export type InputKey = (typeof INPUT_KEYS)[number];

/**
 * Body of `POST /api/sessions/:id/input`: `text` typed literally, then the named `keys` in order,
 * then Enter when `submit` (default true).
 */
export const sessionInputBody = z
  .strictObject({
    text: z.string().max(LIMITS.text).optional(),
    keys: z.array(z.enum(INPUT_KEYS)).max(LIMITS.listItems).optional(),
    submit: z.boolean().default(true),
  })
  .refine((b) => (b.text ?? '') !== '' || (b.keys?.length ?? 0) > 0 || b.submit, {
    message: 'expected text, keys or submit: nothing to send',
  });
export type SessionInputBody = z.input<typeof sessionInputBody>;

/** Body of `POST /api/sessions/:id/touch`: `messages` is how many messages to count (default 1; 0 for a bare heartbeat). */
export const touchInput = z.strictObject({
  messages: z.number().int().min(0).max(1_000_000).default(1),
});
export type TouchInput = z.input<typeof touchInput>;

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'expected an environment variable name');

/**
 * Body of `POST /api/sessions/spawn`. `command` is an argument array executed directly (never
 * through a shell); its first element is the program and may not contain `=` (it would read as an
 * environment assignment).
 */
export const spawnInput = z
  .strictObject({
    ...newSessionFields,
    command: commandSchema,
    cwd: z
      .string()
      .max(LIMITS.path)
      .refine((p) => p.startsWith('/'), 'expected an absolute path')
      .optional(),
    env: z
      .record(envName, z.string().max(LIMITS.argument))
      .refine((e) => Object.keys(e).length <= LIMITS.listItems, `expected at most ${LIMITS.listItems} variables`)
      .default({}),
    configuration: configurationSchema.partial().optional(),
    /** Run in a new git worktree `.maestro/worktrees/<id>` on a branch named after its task (`maestro/login-page-4f2a`). */
    worktree: z.boolean().default(false),
    /** With `worktree`: the local branch it starts from (default: the one checked out). */
    baseBranch: z.string().min(1).max(LIMITS.name).optional(),
    /** The agent the command runs; default: read from the program's name (`generic` for any other). */
    agent: z.enum(AGENT_KINDS).optional(),
  })
  .transform(mergeTaskIds);
export type SpawnInput = z.input<typeof spawnInput>;
export type SpawnData = z.output<typeof spawnInput>;

const isoDate = z.iso.datetime({ offset: true });
/** A boolean in a query string: `true`/`false`/`1`/`0`. */
export const booleanFlag = z.union([
  z.boolean(),
  z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1'),
]);

/**
 * Query of `GET /api/sessions`. `created_after`/`created_before` are ISO-8601 timestamps;
 * `active=true` keeps non-terminal sessions; `recent=N` returns the N most recently created.
 */
export const listSessionsQuery = z.strictObject({
  status: z.enum(SESSION_STATUSES).optional(),
  projectId: projectIdSchema.optional(),
  taskId: taskIdSchema.optional(),
  branch: z.string().max(LIMITS.name).optional(),
  /** Sessions with exactly this name. */
  name: z.string().max(LIMITS.name).optional(),
  /** Sessions started by this session (its children in the tree of agents). */
  parentSessionId: sessionIdSchema.optional(),
  /** Sessions whose agent is in this state (docs/design.md §Agent state). */
  agentState: z.enum(AGENT_STATES).optional(),
  /** Sessions whose id starts with this (as git takes a short hash). */
  idPrefix: z.string().regex(ID_START, 'expected the start of an id').optional(),
  created_after: isoDate.optional(),
  created_before: isoDate.optional(),
  active: booleanFlag.optional(),
  recent: z.coerce.number().int().min(1).max(1000).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  /** Where the page starts: the `nextCursor` of the page before (opaque). */
  cursor: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,200}$/, 'expected the nextCursor of a previous page')
    .optional(),
  /** `summary` (default): the fields a list shows; `full`: every field but the kept output. */
  view: z.enum(['summary', 'full']).default('summary'),
  /** `output`: full rows with their kept output too (only with `view=full`). */
  include: z.literal('output').optional(),
});
export type ListSessionsQuery = z.input<typeof listSessionsQuery>;

/** Where a page of sessions starts, in their order (newest first): after this creation time (ms since the epoch) and id. */
export interface SessionCursor {
  createdAtMs: number;
  id: string;
}

/** What the store filters sessions by: the list's query without its presentation, and the page's start. */
export type SessionFilter = Omit<z.output<typeof listSessionsQuery>, 'view' | 'include' | 'cursor'> & {
  after?: SessionCursor | undefined;
};

/** The opaque `nextCursor` of a page whose last session is `last` (base64url of its time and id). */
export function encodeCursor(last: { createdAt: string; id: string }): string {
  // btoa, not Buffer: the domain is bundled into the dashboard too.
  return btoa(`${Date.parse(last.createdAt)}:${last.id}`)
    .replaceAll('+', '-')
    .replaceAll('/', '_')
    .replace(/=+$/, '');
}

/**
 * The position a `cursor` names.
 * @throws ValidationError naming `query.cursor` when it is not one this server made
 */
export function decodeCursor(cursor: string): SessionCursor {
  let text = '';
  try {
    text = atob(cursor.replaceAll('-', '+').replaceAll('_', '/'));
  } catch {
    // Not base64: refused below like any other cursor this server did not make.
  }
  const [at, id] = text.split(':');
  const createdAtMs = Number(at);
  if (!Number.isSafeInteger(createdAtMs) || id === undefined || !idPattern('session').test(id))
    throw new ValidationError([{ path: 'query.cursor', message: 'expected the nextCursor of a previous page' }]);
  return { createdAtMs, id };
}

/** What `wait` waits for: an agent `waiting` for its user, `idle`, a session `ended`, or `any` change. */
export const WAIT_STATES = ['waiting', 'idle', 'ended', 'any'] as const;
export type WaitFor = (typeof WAIT_STATES)[number];

/** Body of `POST /api/sessions/wait`. */
export const waitInput = z.strictObject({
  ids: z.array(sessionIdSchema).min(1).max(LIMITS.listItems),
  states: z.array(z.enum(WAIT_STATES)).min(1).default(['any']),
  /** Seconds to wait at most (0: answer at once with what is already true). */
  timeoutSecs: z.number().min(0).max(MAX_WAIT_SECS).default(30),
});
export type WaitInput = z.input<typeof waitInput>;
