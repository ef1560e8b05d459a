import { useEffect, useState } from 'react';
import {
  MaestroApiError,
  SESSION_TRANSITIONS,
  type Session,
  type SessionStatus,
  sessionStatusLabel,
  type Task,
} from '../../src/client/index.js';
import { AnswerPanel } from './answer-panel.js';
import { DiffView } from './diff-view.js';
import { age, statusClass } from './format.js';
import type { Live } from './live.js';
import { TerminalView } from './terminal-view.js';

/** One session: actions, statistics, git context, timeline, and its live terminal (the last lines once ended). */
export function SessionPage({
  live,
  session,
  tasks,
  now,
  onError,
  onClose,
}: {
  live: Live;
  session: Session;
  tasks: ReadonlyMap<string, Task>;
  now: number;
  onError: (message: string) => void;
  onClose: () => void;
}) {
  const [output, setOutput] = useState<string[]>(session.output);
  const [confirming, setConfirming] = useState(false);
  const [tab, setTab] = useState<'terminal' | 'diff'>('terminal');
  const running = session.completedAt === null;

  // Once ended, the lines kept at its end (a live one has its terminal below).
  useEffect(() => {
    if (running) return;
    let stop = false;
    live.client.sessions
      .output(session.id, 200)
      .then(({ lines }) => {
        if (!stop) setOutput(lines);
      })
      .catch(() => undefined);
    return () => {
      stop = true;
    };
  }, [live, session.id, running]);

  const act = async (action: () => Promise<unknown>) => {
    try {
      await action();
    } catch (err) {
      onError(err instanceof MaestroApiError ? err.message : String(err));
    }
  };
  const allowed = SESSION_TRANSITIONS[session.status as SessionStatus] ?? [];
  const timeline = [...tasks.values()]
    .flatMap((t) => t.timeline.filter((e) => e.sessionId === session.id).map((e) => ({ ...e, task: t.title })))
    .sort((a, b) => a.timestamp.localeCompare(b.timestamp));

  return (
    <section className="panel" aria-label={`Session ${session.name}`}>
      <header className="row">
        <h2>{session.name}</h2>
        <span className={statusClass(session.status)}>{sessionStatusLabel(session)}</span>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </header>
      {running ? (
        <div className="row actions">
          {allowed.includes('paused') ? (
            <button type="button" onClick={() => act(() => live.client.sessions.transition(session.id, { status: 'paused' }))}>
              Pause
            </button>
          ) : null}
          <label>
            Move to{' '}
            <select
              aria-label="Move to status"
              value=""
              onChange={(e) =>
                act(() => live.client.sessions.transition(session.id, { status: e.target.value as SessionStatus }))
              }
            >
              <option value="">{session.status === 'paused' ? 'resume as…' : 'choose…'}</option>
              {allowed.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </label>
          <button
            type="button"
            title="End it: its agent's work is done (its tasks go to review)"
            onClick={() => act(() => live.client.sessions.end(session.id, { reason: 'completed' }))}
          >
            Mark done
          </button>
          <button
            type="button"
            title="End it without saying its work is done"
            onClick={() => act(() => live.client.sessions.end(session.id, { reason: 'stopped' }))}
          >
            Stop
          </button>
        </div>
      ) : null}
      {running && session.runtime.kind === 'tmux' ? <AnswerPanel live={live} session={session} onError={onError} /> : null}
      <div className="row actions">
        {confirming ? (
          <>
            <span>Delete {session.name} and kill its tmux session?</span>
            <button
              type="button"
              className="danger"
              onClick={() => act(() => live.client.sessions.delete(session.id).then(onClose))}
            >
              Confirm delete
            </button>
            <button type="button" onClick={() => setConfirming(false)}>
              Keep
            </button>
          </>
        ) : (
          <button type="button" className="danger" onClick={() => setConfirming(true)}>
            Delete
          </button>
        )}
      </div>
      <dl className="facts">
        <dt>Id</dt>
        <dd>
          <code>{session.id}</code>
        </dd>
        <dt>Role</dt>
        <dd>
          {session.role}
          {session.parentSessionId ? (
            <>
              , started by <code>{session.parentSessionId}</code>
            </>
          ) : null}
        </dd>
        <dt>Created</dt>
        <dd>{age(session.createdAt, now)} ago</dd>
        <dt>Last activity</dt>
        <dd>
          {age(session.lastActivityAt, now)} ago{session.lastActivityDetail ? `: ${session.lastActivityDetail}` : ''} (
          {session.messageCount} messages)
        </dd>
        <dt>Git</dt>
        <dd>
          {session.gitContext.branch ?? '—'} {session.gitContext.commit?.slice(0, 10) ?? ''}{' '}
          {session.gitContext.isWorktree ? `(worktree ${session.gitContext.worktreeName})` : ''}
        </dd>
        <dt>Runtime</dt>
        <dd>{session.runtime.kind === 'tmux' ? `tmux ${session.runtime.tmuxSession} on ${session.runtime.host}` : 'none'}</dd>
        {session.statistics.model ? (
          <>
            <dt>Tokens</dt>
            <dd data-usage>
              {session.statistics.tokens.input.toLocaleString()} in, {session.statistics.tokens.output.toLocaleString()} out,{' '}
              {session.statistics.tokens.cacheRead.toLocaleString()} cache read,{' '}
              {session.statistics.tokens.cacheWrite.toLocaleString()} cache write ({session.statistics.model}) — about $
              {session.statistics.costUsd.toFixed(2)}
            </dd>
          </>
        ) : null}
        <dt>Statistics</dt>
        <dd>
          {session.statistics.completedTasks}/{session.statistics.totalTasks} tasks, {session.statistics.failedTasks} failed,{' '}
          {session.statistics.decisionsMade} decisions, {session.statistics.checkpointsCreated} checkpoints
        </dd>
      </dl>
      <h3>Timeline</h3>
      <ol className="timeline">
        <li>{session.createdAt} — created</li>
        {timeline.map((e) => (
          <li key={e.id}>
            {e.timestamp} — {e.type} ({e.task})
          </li>
        ))}
        {session.completedAt ? (
          <li>
            {session.completedAt} — ended: {session.endReason}
            {session.endNote ? ` (${session.endNote})` : ''}
          </li>
        ) : null}
      </ol>
      <div className="row tabs" role="tablist">
        <button type="button" role="tab" aria-selected={tab === 'terminal'} onClick={() => setTab('terminal')}>
          Terminal {running ? '(live)' : '(last lines)'}
        </button>
        {session.gitContext.commit && session.launch ? (
          <button type="button" role="tab" aria-selected={tab === 'diff'} onClick={() => setTab('diff')}>
            Diff
          </button>
        ) : null}
      </div>
      {tab === 'diff' ? (
        <DiffView live={live} session={session} />
      ) : running && session.runtime.kind === 'tmux' ? (
        <TerminalView live={live} session={session} readOnly={false} />
      ) : (
        <pre className="terminal" data-terminal>
          {output.length > 0 ? output.join('\n') : '(no output)'}
        </pre>
      )}
    </section>
  );
}
