import type { Logger } from 'pino';
import { type GitContext, type KeptWorktree, ValidationError } from '../../domain/index.js';

import type { GitInspector, Worktree } from '../runtime.js';

/** Longest slug of a branch name, in characters. */
const SLUG_LENGTH = 40;

/**
 * The branch of a session's worktree (docs/design.md §Worktrees): `maestro/<slug>-<suffix>`, the
 * slug from `label` (its task's title, else its name) in lowercase ASCII letters, digits and
 * dashes (accents dropped, anything else a dash), the suffix the last 4 characters of the session
 * id, so two sessions of one task get two branches. Always a valid git branch name.
 */
export function worktreeBranch(sessionId: string, label: string | undefined): string {
  const slug =
    (label ?? '')
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, SLUG_LENGTH)
      .replace(/-+$/, '') || 'session';
  return `maestro/${slug}-${sessionId.slice(-4).toLowerCase()}`;
}

/**
 * Creates the worktree of a spawned session in the repository containing `dir`, on branch `branch`.
 * @throws ValidationError (field `body.worktree`) when `dir` is not in a git repository or git refuses
 */
export async function createWorktree(
  git: GitInspector,
  dir: string,
  sessionId: string,
  branch: string,
  base?: string,
): Promise<Worktree> {
  const { repoRoot } = await git.context(dir);
  if (!repoRoot) throw new ValidationError([{ path: 'body.worktree', message: `${dir} is not in a git repository` }]);
  if (base !== undefined && !(await git.branches(repoRoot)).branches.includes(base))
    throw new ValidationError([{ path: 'body.baseBranch', message: `expected a local branch of ${repoRoot}, got "${base}"` }]);
  try {
    return await git.addWorktree(repoRoot, sessionId, branch, base);
  } catch (err) {
    throw new ValidationError([{ path: 'body.worktree', message: err instanceof Error ? err.message : String(err) }]);
  }
}

/**
 * The worktree Maestro made for a session, recognised by its name (the session id: its directory
 * `.maestro/worktrees/<id>`) and a `maestro/` branch; undefined for any other session.
 */
export function worktreeOf(session: { id: string; gitContext: GitContext }): Worktree | undefined {
  const { isWorktree, branch, repoRoot, worktreeName } = session.gitContext;
  return isWorktree && repoRoot && worktreeName === session.id && branch?.startsWith('maestro/')
    ? { path: repoRoot, branch }
    : undefined;
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
