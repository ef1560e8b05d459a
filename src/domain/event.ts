import { z } from 'zod';

/** Every event type Maestro appends to its event log (DESIGN.md, guarantee 9). */
export const EVENT_TYPES = [
  'project:created',
  'project:deleted',
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
  'session:needs_input',
  'session:input_given',
  'sessions:ended',
  'sessions:purged',
  'loop:failed',
  'loop:recovered',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/**
 * One entry of the ordered event log. Sweeps report what they did to many sessions in one event:
 * `sessions:ended` (`{reason, sessions: SessionEndedData[]}`) and `sessions:purged`
 * (`{reason: "purged", sessions: {id, projectId, taskIds}[]}`, the links of those sessions gone with them).
 * A background loop that starts failing appends `loop:failed` (`{loop, message}`), and
 * `loop:recovered` (`{loop, failures}`) once a pass succeeds again. `seq` increases strictly with every appended event;
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

/**
 * Data of `session:ended`: what changed when the session ended (clients merge it into the session
 * they hold; the last output lines are read with `GET /api/sessions/:id`). Kept small because a
 * sweep may end thousands of sessions at once.
 */
export interface SessionEndedData {
  id: string;
  projectId: string;
  taskIds: string[];
  status: 'completed' | 'failed';
  endReason: string;
  exitCode: number | null;
  completedAt: string;
  updatedAt: string;
  version: number;
}
