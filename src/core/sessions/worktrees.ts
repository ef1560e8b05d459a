import type { Logger } from 'pino';
import { type GitContext, type KeptWorktree, ValidationError } from '../../domain/index.js';

import type { GitInspector, Worktree } from '../runtime.js';

/**
 * Creates the worktree of a spawned session in the repository containing `dir`.
 * @throws ValidationError (field `body.worktree`) when `dir` is not in a git repository or git refuses
 */
export async function createWorktree(git: GitInspector, dir: string, sessionId: string): Promise<Worktree> {
  const { repoRoot } = await git.context(dir);
  if (!repoRoot) throw new ValidationError([{ path: 'body.worktree', message: `${dir} is not in a git repository` }]);
  try {
    return await git.addWorktree(repoRoot, sessionId);
  } catch (err) {
    throw new ValidationError([{ path: 'body.worktree', message: err instanceof Error ? err.message : String(err) }]);
  }
}

/** The worktree Maestro made for a session, recognised by its branch `maestro/<id>`; undefined for any other session. */
export function worktreeOf(session: { id: string; gitContext: GitContext }): Worktree | undefined {
  const { isWorktree, branch, repoRoot } = session.gitContext;
  return isWorktree && repoRoot && branch === `maestro/${session.id}` ? { path: repoRoot, branch } : undefined;
}

/**
 * Removes a session's worktree when it is safe (clean, every commit merged elsewhere); otherwise
 * keeps it, logs why and returns it. Never throws.
 */
export async function releaseWorktree(
  git: GitInspector,
  log: Logger,
  sessionId: string,
  worktree: Worktree,
): Promise<KeptWorktree | undefined> {
  try {
    const result = await git.removeWorktree(worktree);
    if (result.removed) {
      log.info({ sessionId, path: worktree.path, branch: worktree.branch }, 'worktree removed');
      return undefined;
    }
    log.warn({ sessionId, path: worktree.path, branch: worktree.branch, reason: result.reason }, 'worktree kept');
    return { sessionId, path: worktree.path, reason: result.reason };
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    log.warn({ sessionId, path: worktree.path, reason }, 'worktree kept');
    return { sessionId, path: worktree.path, reason };
  }
}
