import { z } from 'zod';
import { EVENT_TYPES, type EventData, type EventType, type MaestroEvent, type TypedEvent } from './event.js';

// Which events a filtered stream client receives (docs/design.md §Delivery and resync): pure, so
// the replay and the live part of a subscription decide alike, and so it can be tested alone.

/**
 * What a client asks of the event stream (`GET /api/events?sessionId&projectId&types`). Every
 * field given must match (AND); none given: every event, unchanged.
 */
export interface EventFilter {
  /** Only events about this session. */
  sessionId?: string;
  /** Only events about this project: its own, its tasks' and its sessions'. */
  projectId?: string;
  /** Only these types: exact names (`session:ended`) or prefix globs (`session:*`). */
  types?: readonly string[];
}

/** The prefixes event types are grouped under (`session` of `session:ended`): what a `prefix:*` glob may name. */
export const EVENT_TYPE_PREFIXES = [...new Set(EVENT_TYPES.map((t) => t.slice(0, t.indexOf(':'))))];

/** Why `pattern` is not an event type nor a `prefix:*` glob of known types, or undefined when it is one. */
export function typePatternProblem(pattern: string): string | undefined {
  if (pattern.endsWith(':*')) {
    const prefix = pattern.slice(0, -2);
    return EVENT_TYPE_PREFIXES.includes(prefix)
      ? undefined
      : `unknown event type prefix "${prefix}:*"; known prefixes: ${EVENT_TYPE_PREFIXES.map((p) => `${p}:*`).join(', ')}`;
  }
  return (EVENT_TYPES as readonly string[]).includes(pattern)
    ? undefined
    : `unknown event type "${pattern}": expected an event type (e.g. session:ended) or a prefix glob (e.g. session:*)`;
}

/**
 * The `types` query field: a comma-separated list of event types and `prefix:*` globs, each
 * checked against the known types (an unknown name is refused rather than silently matching
 * nothing). `session:*` matches `session:` types only, not the sweeps' `sessions:*` batches.
 */
export const eventTypesParam = z
  .string()
  .max(2000)
  .transform((text, ctx) => {
    const patterns = text
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p !== '');
    if (patterns.length === 0) ctx.addIssue({ code: 'custom', message: 'expected at least one event type or prefix glob' });
    for (const pattern of patterns) {
      const problem = typePatternProblem(pattern);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }
    return patterns;
  });

/** Who an event is about: a session, a project, both, or neither (a loop's failure). */
interface Subject {
  sessionId?: string;
  projectId?: string;
}

/** A batch event: each of its entries is about one session of one project. */
const ENTRIES = Symbol('entries');

const ofProject = (d: { id: string }): Subject => ({ projectId: d.id });
const ofTask = (d: { projectId: string }): Subject => ({ projectId: d.projectId });
const ofLink = (d: { sessionId: string }): Subject => ({ sessionId: d.sessionId });
const ofSession = (d: { id: string; projectId: string }): Subject => ({ sessionId: d.id, projectId: d.projectId });
/** Session events that name only the session: its project is looked up (see {@link EventSelector.unplaced}). */
const ofSessionId = (d: { id: string }): Subject => ({ sessionId: d.id });
const ofNothing = (): Subject => ({});

/**
 * What each event type is about. Declared per type, so a new type cannot reach a filtered client
 * before someone decides whom it concerns (it does not compile without an entry here).
 */
const SUBJECTS: { [T in EventType]: ((data: EventData<T>) => Subject) | typeof ENTRIES } = {
  'project:created': ofProject,
  'project:deleted': ofProject,
  'project:updated': ofProject,
  'project:queued': ofProject,
  'project:started': ofProject,
  'project:completed': ofProject,
  'project:failed': ofProject,
  'project:cancelled': ofProject,
  'task:created': ofTask,
  'task:updated': ofTask,
  'task:deleted': ofTask,
  'task:session_added': ofLink,
  'task:session_removed': ofLink,
  'session:created': ofSession,
  'session:updated': ofSession,
  'session:ended': ofSession,
  'session:deleted': ofSession,
  'session:task_added': ofLink,
  'session:task_removed': ofLink,
  'session:agent_state': ofSessionId,
  'session:timeout_warning': ofSessionId,
  'session:input_sent': ofSessionId,
  'session:finished': ofSessionId,
  'sessions:ended': ENTRIES,
  'sessions:purged': ENTRIES,
  'loop:failed': ofNothing,
  'loop:recovered': ofNothing,
  'queue:paused': ofNothing,
  'queue:resumed': ofNothing,
};

/** The project of a session as far as it is known (undefined: unknown, e.g. deleted before it was learnt). */
export type ProjectOf = (sessionId: string) => string | undefined;

/** One filter, compiled: decides per event what a client receives. */
export interface EventSelector {
  /**
   * `event` as the client may see it: the event itself, a copy of a batch (`sessions:ended`,
   * `sessions:purged`) holding only the matching entries (same `seq` and `id`), or undefined when
   * nothing of it matches. An event whose session's project is unknown does not match a project.
   */
  select(event: MaestroEvent, projectOf: ProjectOf): MaestroEvent | undefined;
  /**
   * The sessions whose project {@link select} must know to decide on `event`: with a project
   * filter, the session of an event that names no project (`session:agent_state`, a link…).
   */
  unplaced(event: MaestroEvent): string[];
}

/**
 * Compiles `filter` (its `types` already validated, see {@link eventTypesParam}).
 * @returns undefined when the filter lets everything through: the stream then delivers as it did
 *   before filters existed
 */
export function eventSelector(filter: EventFilter): EventSelector | undefined {
  const { sessionId, projectId, types } = filter;
  if (sessionId === undefined && projectId === undefined && types === undefined) return undefined;
  const wanted = types === undefined ? undefined : new Set(EVENT_TYPES.filter((t) => types.some((p) => typeMatches(p, t))));
  const matches = (subject: Subject, projectOf: ProjectOf): boolean =>
    (sessionId === undefined || subject.sessionId === sessionId) &&
    (projectId === undefined ||
      (subject.projectId ?? (subject.sessionId === undefined ? undefined : projectOf(subject.sessionId))) === projectId);
  return {
    select(event, projectOf) {
      if (wanted && !wanted.has(event.type)) return undefined;
      if (sessionId === undefined && projectId === undefined) return event;
      const typed = event as TypedEvent;
      const subject = SUBJECTS[typed.type];
      if (subject !== ENTRIES) return matches((subject as (d: unknown) => Subject)(typed.data), projectOf) ? event : undefined;
      const all = (typed.data as EventData<'sessions:ended' | 'sessions:purged'>).sessions;
      const kept = all.filter((entry) => matches({ sessionId: entry.id, projectId: entry.projectId }, projectOf));
      if (kept.length === 0) return undefined;
      // A copy: the stored event is shared by every subscriber and must not change.
      return kept.length === all.length ? event : { ...event, data: { ...event.data, sessions: kept } };
    },
    unplaced(event) {
      if (projectId === undefined || (wanted && !wanted.has(event.type))) return [];
      const typed = event as TypedEvent;
      const subject = SUBJECTS[typed.type];
      if (subject === ENTRIES) return [];
      const { sessionId: session, projectId: project } = (subject as (d: unknown) => Subject)(typed.data);
      return session !== undefined && project === undefined ? [session] : [];
    },
  };
}

/** Whether event type `type` matches `pattern`: the same name, or `prefix:*` and the type's prefix. */
function typeMatches(pattern: string, type: EventType): boolean {
  return pattern.endsWith(':*') ? type.startsWith(pattern.slice(0, -1)) : pattern === type;
}

/**
 * The sessions whose project `event` states (`[sessionId, projectId]` pairs): a session's
 * creation, update, end or deletion, and each entry of a batch. A session never moves to another
 * project, so what an event states stays true.
 */
export function projectsStated(event: MaestroEvent): [string, string][] {
  const typed = event as TypedEvent;
  const subject = SUBJECTS[typed.type];
  if (subject === ENTRIES)
    return (typed.data as EventData<'sessions:ended'>).sessions.map((entry) => [entry.id, entry.projectId]);
  const { sessionId, projectId } = (subject as (d: unknown) => Subject)(typed.data);
  return sessionId !== undefined && projectId !== undefined ? [[sessionId, projectId]] : [];
}
