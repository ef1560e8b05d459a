import type { Session } from '../../src/client/index.js';
import { useLiveState } from './context.js';
import { exact } from './format.js';
import { describe } from './timeline-words.js';

/** What happened to a session, in order: its creation, its tasks' entries about it (with their task), its end. */
export function SessionTimeline({ session: s }: { session: Session }) {
  const { tasks } = useLiveState();
  const entries = [
    { key: 'created', at: s.createdAt, what: 'created', task: '' },
    ...s.taskIds.flatMap((id) => {
      const t = tasks.get(id);
      return (t?.timeline ?? [])
        .filter((e) => e.sessionId === s.id || e.type === 'note')
        .map((e) => ({
          key: e.id,
          at: e.timestamp,
          what: describe(e),
          task: t?.title ?? id,
        }));
    }),
    ...(s.completedAt
      ? [{ key: 'ended', at: s.completedAt, what: `ended: ${s.endReason}${s.endNote ? ` (${s.endNote})` : ''}`, task: '' }]
      : []),
  ].sort((a, b) => a.at.localeCompare(b.at));
  return (
    <ol className="timeline" data-timeline>
      {entries.map((e) => (
        <li key={e.key}>
          <time dateTime={e.at}>{exact(e.at)}</time> <span>{e.what}</span>
          {e.task ? <span className="muted"> — {e.task}</span> : null}
        </li>
      ))}
    </ol>
  );
}
