import { Link } from 'react-router';
import type { Session } from '../../src/client/index.js';
import { useLiveState } from './context.js';
import { RelTime } from './rel-time.js';
import { StateBadge } from './state-badge.js';

/** A session's git context, statistics, tokens, runtime and lineage (the session that started it, and those it started). */
export function SessionDetails({ session: s, now }: { session: Session; now: number }) {
  const { active, ended, projects } = useLiveState();
  const children = [...active.values(), ...ended.values()].filter((c) => c.parentSessionId === s.id);
  const parent = s.parentSessionId ? (active.get(s.parentSessionId) ?? ended.get(s.parentSessionId)) : undefined;
  const t = s.statistics.tokens;
  return (
    <dl className="facts" data-details>
      <dt>Id</dt>
      <dd>
        <code>{s.id}</code>
      </dd>
      <dt>Project</dt>
      <dd>
        <Link to={`/projects#${s.projectId}`}>{projects.get(s.projectId)?.name ?? s.projectId}</Link>
      </dd>
      <dt>Created</dt>
      <dd>
        <RelTime iso={s.createdAt} now={now} />
      </dd>
      <dt>Last activity</dt>
      <dd>
        <RelTime iso={s.lastActivityAt} now={now} />
        {s.lastActivityDetail ? `: ${s.lastActivityDetail}` : ''} ({s.messageCount} messages)
      </dd>
      {s.completedAt ? (
        <>
          <dt>Ended</dt>
          <dd>
            <RelTime iso={s.completedAt} now={now} />: {s.endReason}
            {s.runtime.exitCode !== null ? ` (exit ${s.runtime.exitCode})` : ''}
            {s.endNote ? ` — ${s.endNote}` : ''}
          </dd>
        </>
      ) : null}
      <dt>Git</dt>
      <dd>
        {s.gitContext.branch ?? '—'} <code>{s.gitContext.commit?.slice(0, 10) ?? ''}</code>{' '}
        {s.gitContext.isWorktree ? `(worktree ${s.gitContext.worktreeName})` : ''}
      </dd>
      <dt>Runtime</dt>
      <dd>{s.runtime.kind === 'tmux' ? `tmux ${s.runtime.tmuxSession} on ${s.runtime.host}` : 'none'}</dd>
      <dt>Command</dt>
      <dd>
        <code>{s.launch ? s.launch.command.join(' ') : '—'}</code>
      </dd>
      <dt>Tokens</dt>
      <dd data-usage>
        {s.statistics.model
          ? `${t.input.toLocaleString()} in, ${t.output.toLocaleString()} out, ${t.cacheRead.toLocaleString()} cache read, ${t.cacheWrite.toLocaleString()} cache write (${s.statistics.model}) — about $${s.statistics.costUsd.toFixed(2)}`
          : 'not reported'}
      </dd>
      <dt>Statistics</dt>
      <dd>
        {s.statistics.completedTasks}/{s.statistics.totalTasks} tasks, {s.statistics.failedTasks} failed,{' '}
        {s.statistics.decisionsMade} decisions, {s.statistics.checkpointsCreated} checkpoints
      </dd>
      <dt>Role</dt>
      <dd>{s.role}</dd>
      <dt>Started by</dt>
      <dd data-parent>
        {s.parentSessionId ? (
          <Link to={`/sessions/${s.parentSessionId}`}>{parent?.name ?? s.parentSessionId}</Link>
        ) : (
          '— (a person)'
        )}
      </dd>
      <dt>Started</dt>
      <dd data-children>
        {children.length === 0 ? (
          'no sessions'
        ) : (
          <ul className="plain">
            {children.map((c) => (
              <li key={c.id}>
                <StateBadge summary={c} /> <Link to={`/sessions/${c.id}`}>{c.name ?? c.id}</Link>
              </li>
            ))}
          </ul>
        )}
      </dd>
    </dl>
  );
}
