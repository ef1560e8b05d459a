import { z } from 'zod';

/** Every event type Maestro appends to its event log (DESIGN.md, guarantee 9). */
export const EVENT_TYPES = [
  'project:created',
  'project:updated',
  'project:deleted',
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
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/**
 * One entry of the ordered event log. `seq` increases strictly with every appended event;
 * `data` is the entity after the change (or `{id}` for a deletion, `{taskId, sessionId}` for links).
 */
export const eventSchema = z.object({
  seq: z.number().int(),
  id: z.string(),
  type: z.enum(EVENT_TYPES),
  at: z.string(),
  data: z.record(z.string(), z.unknown()),
});
export type MaestroEvent = z.infer<typeof eventSchema>;

/** An event before the log gives it a sequence number. */
export type NewEvent = Omit<MaestroEvent, 'seq' | 'id' | 'at'>;
