import { useNavigate } from 'react-router';
import { SESSION_TRANSITIONS, type Session, type SessionStatus } from '../../src/client/index.js';
import { useAct, useLive } from './context.js';
import { ConfirmButton } from './dialog.js';

/**
 * What can be done with a session: move it along its workflow, end it (done, or stopped), bring a
 * worktree's work home (merge, keep the branch, discard), start it again once ended, delete it
 * after a confirmation.
 */
export function SessionActions({ session: s }: { session: Session }) {
  const live = useLive();
  const act = useAct();
  const navigate = useNavigate();
  const running = s.completedAt === null;
  const allowed = SESSION_TRANSITIONS[s.status as SessionStatus] ?? [];
  const worktree = s.gitContext.isWorktree;
  const id = s.id;
  return (
    <div className="row actions" data-actions>
      {running && allowed.includes('paused') ? (
        <button type="button" onClick={() => act(() => live.client.sessions.transition(id, { status: 'paused' }))}>
          Pause
        </button>
      ) : null}
      {running && allowed.length > 0 ? (
        <select
          aria-label="Move to status"
          value=""
          onChange={(e) => act(() => live.client.sessions.transition(id, { status: e.target.value as SessionStatus }))}
        >
          <option value="">{s.status === 'paused' ? 'Resume as…' : 'Move to…'}</option>
          {allowed.map((status) => (
            <option key={status} value={status}>
              {status}
            </option>
          ))}
        </select>
      ) : null}
      {running ? (
        <>
          <button
            type="button"
            title="End it: its agent's work is done (its tasks go to review)"
            onClick={() => act(() => live.client.sessions.end(id, { reason: 'completed' }))}
          >
            Mark done
          </button>
          <button
            type="button"
            title="End it without saying its work is done"
            onClick={() => act(() => live.client.sessions.end(id, { reason: 'stopped' }))}
          >
            Stop
          </button>
        </>
      ) : (
        <button
          type="button"
          onClick={() => act(async () => navigate(`/sessions/${(await live.client.sessions.restart(id)).id}`))}
        >
          Restart
        </button>
      )}
      {worktree ? (
        <>
          <ConfirmButton
            label="Finish: merge"
            className="primary"
            title="Merge this session's work"
            question={`Merge ${s.gitContext.branch ?? 'its branch'} into the project's checked-out branch and remove the worktree${running ? ', ending the session first' : ''}?`}
            confirm="Merge"
            onConfirm={() => act(() => live.client.sessions.finish(id, { action: 'merge' }))}
          />
          <ConfirmButton
            label="Keep branch"
            className=""
            title="Keep this session's branch"
            question={`Remove the worktree but keep ${s.gitContext.branch ?? 'its branch'} to merge later${running ? ', ending the session first' : ''}?`}
            confirm="Keep branch"
            onConfirm={() => act(() => live.client.sessions.finish(id, { action: 'keep' }))}
          />
          <ConfirmButton
            label="Discard"
            title="Discard this session's work"
            question={`Delete the worktree and ${s.gitContext.branch ?? 'its branch'} with every change in them?`}
            confirm="Discard"
            onConfirm={() => act(() => live.client.sessions.finish(id, { action: 'discard' }))}
          />
        </>
      ) : null}
      <ConfirmButton
        label="Delete"
        title={`Delete ${s.name}`}
        question={`Delete ${s.name}${running ? ' and kill its tmux session' : ''}? Its record and kept output go too.`}
        confirm="Confirm delete"
        onConfirm={() =>
          act(async () => {
            await live.client.sessions.delete(id);
            navigate('/');
          })
        }
      />
    </div>
  );
}
