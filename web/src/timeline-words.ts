import type { TimelineEntry } from '../../src/client/index.js';

/**
 * A task's timeline entry in words: "task status in progress → in review", "finished: merge of
 * maestro/x", "note: …", "session login-agent ended: completed". `session` names the entry's session
 * where the reader cannot tell which one it is (the task timeline chart; a session's own page knows).
 */
export function describe(e: TimelineEntry, session?: string): string {
  const data = (e.data ?? {}) as Record<string, unknown>;
  const words = (v: unknown) => String(v ?? '?').replace(/_/g, ' ');
  const which = session ? ` ${session}` : '';
  switch (e.type) {
    case 'status_changed':
      return `task status ${words(data.from)} → ${words(data.to)}`;
    case 'session_started':
      return `session${which} started`;
    case 'session_ended':
      return `session${which} ended${data.reason ? `: ${words(data.reason)}` : ''}${data.note ? ` (${String(data.note)})` : ''}`;
    case 'session_finished':
      return `finished${which ? ` session${which}` : ''}: ${words(data.action)}${data.branch ? ` of ${String(data.branch)}` : ''}`;
    case 'note':
      return `note: ${String(data.message ?? '')}`;
    default:
      return `task ${e.type.replace(/_/g, ' ')}`;
  }
}
