import {
  ConflictError,
  type EventData,
  type FinishInput,
  finishInput,
  isTerminal,
  newId,
  parseInput,
  ValidationError,
} from '../../domain/index.js';
import type { CoreDeps } from '../deps.js';
import type { GitInspector } from '../runtime.js';
import type { SessionEnder } from './session-lifecycle.js';
import type { SessionWrites } from './session-writes.js';
import { worktreeOf } from './worktrees.js';

/**
 * Brings a session's work back, or lets it go (docs/design.md §Worktrees): merge its worktree's
 * branch into the main checkout, keep the branch, or discard both; each appends
 * `session_finished` to its tasks' timelines and `session:finished`.
 */
export class SessionFinisher {
  constructor(
    private readonly deps: CoreDeps & { git: GitInspector },
    private readonly parts: { writes: Pick<SessionWrites, 'fetch'>; lifecycle: SessionEnder },
  ) {}

  /**
   * Finishes session `id`'s worktree; a live session is ended first (`completed`). A merge
   * fast-forwards or not as `fastForward` says, else as its project's `mergeStrategy`.
   * @returns what was done: the branch, and the merge commit and the branch merged into
   * @throws ValidationError (bad body; a session not in a worktree Maestro made); NotFoundError;
   *   ConflictError naming the files when the merge would conflict or the main checkout has changes
   */
  async finish(id: string, input: FinishInput): Promise<EventData<'session:finished'>> {
    const { action, message, fastForward } = parseInput(finishInput, input, 'body');
    let session = await this.parts.writes.fetch(id);
    const worktree = worktreeOf(session);
    if (!worktree)
      throw new ValidationError([{ path: 'params.id', message: `session ${id} does not run in a worktree Maestro made` }]);
    if (!isTerminal(session.status)) session = await this.parts.lifecycle.end(id, 'completed');
    const task = session.taskIds[0] ? await this.deps.store.getTask(session.taskIds[0]) : undefined;
    const project = await this.deps.store.getProject(session.projectId);
    const result = await this.deps.git.finishWorktree(worktree, action, {
      message: message ?? task?.title ?? session.name,
      fastForward: fastForward ?? project?.mergeStrategy === 'fast_forward',
    });
    if (!result.done) throw new ConflictError(`${result.reason}; nothing was changed`, { sessionId: id, files: result.files });
    const data = { id, action, branch: worktree.branch, commit: result.commit, into: result.into };
    const now = this.deps.clock.now();
    await this.deps.store.transaction(async (tx) => {
      for (const taskId of session.taskIds)
        await tx.appendTimeline(taskId, {
          id: newId('event'),
          type: 'session_finished',
          timestamp: new Date(now).toISOString(),
          sessionId: id,
          data: { action, branch: worktree.branch, commit: result.commit },
        });
      await tx.appendEvents([{ type: 'session:finished', data }], now);
    });
    this.deps.log.info({ sessionId: id, ...data }, 'session finished');
    return data;
  }
}
