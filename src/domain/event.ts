import { z } from 'zod';
import { AGENT_STATES, waitingForSchema } from './agent.js';
import { projectSchema } from './project.js';
import { sessionSchema } from './session.js';
import { END_REASONS } from './session-state.js';
import { taskSchema } from './task.js';

/** Every event type Maestro appends to its event log (docs/design.md §Event log; §Lifecycle guarantees (G9)). */
export const EVENT_TYPES = [
  'project:created',
  'project:deleted',
  'project:updated',
  'project:queued',
  'project:started',
  'project:completed',
  'project:failed',
  'project:cancelled',
  'task:created',
  'task:updated',
  'task:deleted',
  'task:session_added',
  'task:session_removed',
  'session:created',
  'session:updated',
  'session:ended',
  'session:deleted',
  'session:task_added',
  'session:task_removed',
  'session:agent_state',
  'session:timeout_warning',
  'session:input_sent',
  'session:finished',
  'sessions:ended',
  'sessions:purged',
  'loop:failed',
  'loop:recovered',
  'queue:paused',
  'queue:resumed',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/**
 * One entry of the ordered event log, as stored and sent: `seq` increases strictly with every
 * appended event; `data` depends on `type` (see {@link EVENT_DATA} and {@link TypedEvent}).
 */
export const eventSchema = z.object({
  seq: z.number().int(),
  id: z.string(),
  type: z.enum(EVENT_TYPES),
  at: z.string(),
  data: z.record(z.string(), z.unknown()),
});
export type MaestroEvent = z.infer<typeof eventSchema>;

const idString = z.string();
/** Both sides of a task link. */
const linkData = z.strictObject({ sessionId: idString, taskId: idString });
/** What changed when a session ended (see {@link SessionEndedData}). */
const sessionEndedData = z.strictObject({
  id: idString,
  projectId: idString,
  taskIds: z.array(idString),
  status: z.enum(['completed', 'failed']),
  endReason: z.enum(END_REASONS),
  /** What was said with the end (`end --note`); absent from bulk ends. */
  endNote: z.string().nullable().optional(),
  exitCode: z.number().int().nullable(),
  completedAt: z.string(),
  updatedAt: z.string(),
  version: z.number().int(),
});

/**
 * The `data` of each event type. Entities after the change for `*:created`, `*:updated` and the
 * project status events (and the session waits); ids only for deletions and links. A sweep
 * reports what it did to many sessions in one event: `sessions:ended` and `sessions:purged` (the
 * links of purged sessions are gone with them). A background loop that starts failing appends
 * `loop:failed`, and `loop:recovered` once a pass succeeds again.
 */
export const EVENT_DATA = {
  'project:created': projectSchema,
  'project:deleted': z.strictObject({ id: idString, name: z.string() }),
  'project:updated': projectSchema,
  'project:queued': projectSchema,
  'project:started': projectSchema,
  'project:completed': projectSchema,
  'project:failed': projectSchema,
  'project:cancelled': projectSchema,
  'task:created': taskSchema,
  'task:updated': taskSchema,
  'task:deleted': z.strictObject({ id: idString, projectId: idString }),
  'task:session_added': linkData,
  'task:session_removed': linkData,
  'session:created': sessionSchema,
  'session:updated': sessionSchema,
  'session:ended': sessionEndedData,
  'session:deleted': z.strictObject({ id: idString, projectId: idString, taskIds: z.array(idString), reason: z.string() }),
  'session:task_added': linkData,
  'session:task_removed': linkData,
  /**
   * The agent's state changed (never sent for a repeat): `from` → `to` at `at` (ISO-8601), the
   * session's new `version`, and what it waits for when `to` is `waiting`. An end is announced by
   * `session:ended` / `sessions:ended` alone (the agent is `exited` then).
   */
  'session:agent_state': z.strictObject({
    id: idString,
    from: z.enum(AGENT_STATES).nullable(),
    to: z.enum(AGENT_STATES),
    at: z.string(),
    version: z.number().int(),
    waitingFor: waitingForSchema.nullable(),
    /** The session's last activity after the move (output counts as activity). */
    lastActivityAt: z.string(),
  }),
  /** The session will time out for inactivity at `at` (ISO-8601) unless it shows activity first. */
  'session:timeout_warning': z.strictObject({ id: idString, at: z.string() }),
  /** Someone typed into the session (`length` characters, and keys); the text itself is in its transcript, not here. */
  'session:input_sent': z.strictObject({ id: idString, length: z.number().int(), keys: z.number().int() }),
  /** The session's worktree was finished: merged (`commit`, into branch `into`), kept on `branch`, or discarded. */
  'session:finished': z.strictObject({
    id: idString,
    action: z.enum(['merge', 'keep', 'discard']),
    branch: z.string(),
    commit: z.string().nullable(),
    into: z.string().nullable(),
  }),
  'sessions:ended': z.strictObject({ reason: z.enum(END_REASONS), sessions: z.array(sessionEndedData) }),
  'sessions:purged': z.strictObject({
    reason: z.literal('purged'),
    sessions: z.array(z.strictObject({ id: idString, projectId: idString, taskIds: z.array(idString) })),
  }),
  'loop:failed': z.strictObject({ loop: z.string(), message: z.string() }),
  'loop:recovered': z.strictObject({ loop: z.string(), failures: z.number().int() }),
  /** The scheduler was paused (queued projects wait) or resumed, by a person. */
  'queue:paused': z.strictObject({ paused: z.literal(true) }),
  'queue:resumed': z.strictObject({ paused: z.literal(false) }),
} satisfies Record<EventType, z.ZodType>;

/**
 * {@link TypedEvent} as a schema, one branch per type (`type` is the discriminator): what the
 * OpenAPI document shows for the event stream, and what a client may validate against.
 */
export const typedEventSchema = z.discriminatedUnion(
  'type',
  EVENT_TYPES.map((type) => eventSchema.extend({ type: z.literal(type), data: EVENT_DATA[type] })) as unknown as [
    z.ZodObject,
    ...z.ZodObject[],
  ],
);

/** The `data` of events of type `T`. */
export type EventData<T extends EventType> = z.output<(typeof EVENT_DATA)[T]>;

/** An event with `data` typed by its `type`: narrow with `switch (event.type)`. */
export type TypedEvent = { [T in EventType]: Omit<MaestroEvent, 'type' | 'data'> & { type: T; data: EventData<T> } }[EventType];

/** An event before the log gives it a sequence number, its data checked against its type. */
export type NewEvent = { [T in EventType]: { type: T; data: EventData<T> } }[EventType];

/**
 * Data of `session:ended`: what changed when the session ended (clients merge it into the session
 * they hold; the last output lines are read with `GET /api/sessions/:id`). Kept small because a
 * sweep may end thousands of sessions at once.
 */
export type SessionEndedData = z.output<typeof sessionEndedData>;
