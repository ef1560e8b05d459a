import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { execa } from 'execa';
import type { GitInspector, RawDiff, Worktree, WorktreeFinish, WorktreeRemoval } from '../core/runtime.js';
import type { GitContext } from '../domain/index.js';

interface GitResult {
  ok: boolean;
  stdout: string;
  stderr: string;
}

async function git(dir: string, args: string[]): Promise<GitResult> {
  const result = await execa('git', ['-C', dir, ...args], { reject: false, timeout: 15_000, stdin: 'ignore' });
  return { ok: result.exitCode === 0, stdout: result.stdout.trim(), stderr: result.stderr.trim() };
}

/** Untracked files shown at most in one diff (an agent's build output left unignored would be thousands). */
const UNTRACKED_LIMIT = 500;

/** git's output as it printed it (not trimmed: a patch's trailing newline matters); exit code 1 is an answer for `diff`. */
async function raw(dir: string, args: string[]): Promise<string> {
  const result = await execa('git', ['-C', dir, ...args], {
    reject: false,
    timeout: 15_000,
    stdin: 'ignore',
    stripFinalNewline: false,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.exitCode !== 0 && result.exitCode !== 1) throw new Error(`git ${args[0]} failed: ${result.stderr.trim()}`);
  return result.stdout;
}

/** Keeps `.maestro/` (worktrees, the database) out of the repository's `git status`, via `info/exclude`. */
async function excludeMaestroDir(repoRoot: string): Promise<void> {
  const common = await git(repoRoot, ['rev-parse', '--path-format=absolute', '--git-common-dir']);
  if (!common.ok) return;
  const exclude = join(common.stdout, 'info', 'exclude');
  const current = await readFile(exclude, 'utf8').catch(() => '');
  if (current.split('\n').some((line) => line.trim() === '/.maestro/')) return;
  await mkdir(dirname(exclude), { recursive: true });
  await appendFile(exclude, `${current === '' || current.endsWith('\n') ? '' : '\n'}/.maestro/\n`);
}

/** Reads git context and manages per-session worktrees with the `git` command (argument arrays, no shell). */
export class GitCli implements GitInspector {
  async context(dir: string): Promise<GitContext> {
    const paths = await git(dir, ['rev-parse', '--path-format=absolute', '--show-toplevel', '--git-dir', '--git-common-dir']);
    if (!paths.ok) return { branch: null, commit: null, repoRoot: null, isWorktree: false, worktreeName: null };
    const [repoRoot = null, gitDir = '', commonDir = ''] = paths.stdout.split('\n');
    const [branch, commit] = await Promise.all([
      git(dir, ['symbolic-ref', '--short', '-q', 'HEAD']),
      git(dir, ['rev-parse', '-q', '--verify', 'HEAD']),
    ]);
    const isWorktree = resolve(gitDir) !== resolve(commonDir);
    return {
      branch: branch.ok && branch.stdout ? branch.stdout : null,
      commit: commit.ok && commit.stdout ? commit.stdout : null,
      repoRoot,
      isWorktree,
      worktreeName: isWorktree ? basename(gitDir) : null,
    };
  }

  async addWorktree(repoRoot: string, sessionId: string, branch: string, base?: string): Promise<Worktree> {
    const path = join(repoRoot, '.maestro', 'worktrees', sessionId);
    // A full ref name: a branch named like an option is still read as a branch.
    const result = await git(repoRoot, ['worktree', 'add', '-q', '-b', branch, path, base ? `refs/heads/${base}` : 'HEAD']);
    if (!result.ok) throw new Error(`git worktree add failed: ${result.stderr || 'unknown error'}`);
    await excludeMaestroDir(repoRoot);
    return { path, branch };
  }

  async branches(dir: string): Promise<{ current: string | null; branches: string[] }> {
    const [current, list] = await Promise.all([
      git(dir, ['symbolic-ref', '--short', '-q', 'HEAD']),
      git(dir, ['for-each-ref', '--format=%(refname:short)', 'refs/heads']),
    ]);
    if (!list.ok) return { current: null, branches: [] };
    // Maestro's own worktree branches are no base to start from.
    const branches = list.stdout.split('\n').filter((b) => b && !b.startsWith('maestro/'));
    return { current: current.ok && current.stdout ? current.stdout : null, branches };
  }

  async diff(dir: string, base: string, context: number): Promise<RawDiff> {
    const verified = await git(dir, ['rev-parse', '-q', '--verify', `${base}^{commit}`]);
    if (!verified.ok) throw new Error(`not a commit in ${dir}: ${base}`);
    const options = ['--no-color', '--no-ext-diff', '--find-renames', `-U${context}`];
    const [patch, numstat, untracked] = await Promise.all([
      raw(dir, ['diff', ...options, base, '--']),
      raw(dir, ['diff', '--numstat', '-z', '--find-renames', base, '--']),
      raw(dir, ['ls-files', '--others', '--exclude-standard', '-z']),
    ]);
    let fullPatch = patch;
    let fullNumstat = numstat;
    // Untracked files are new: compared with nothing (exit code 1 means "they differ").
    for (const file of untracked.split('\0').filter(Boolean).slice(0, UNTRACKED_LIMIT)) {
      const [filePatch, fileNumstat] = await Promise.all([
        raw(dir, ['diff', '--no-index', ...options, '--', '/dev/null', file]),
        raw(dir, ['diff', '--no-index', '--numstat', '-z', '--', '/dev/null', file]),
      ]);
      fullPatch += filePatch;
      fullNumstat += fileNumstat;
    }
    return { patch: fullPatch, numstat: fullNumstat };
  }

  async finishWorktree(
    { path, branch }: Worktree,
    action: 'merge' | 'keep' | 'discard',
    { message, fastForward }: { message: string; fastForward: boolean },
  ): Promise<WorktreeFinish> {
    const common = await git(path, ['rev-parse', '--path-format=absolute', '--git-common-dir']);
    if (!common.ok) return { done: false, reason: `not a git worktree: ${common.stderr}`, files: [] };
    const main = dirname(common.stdout);
    const as = ['-c', 'user.name=Maestro', '-c', 'user.email=maestro@localhost'];
    if (action !== 'discard') {
      // What the agent left uncommitted is committed on its branch first: nothing is lost.
      await git(path, ['add', '-A']);
      const staged = await git(path, ['diff', '--cached', '--quiet']);
      if (!staged.ok) {
        const committed = await git(path, [...as, 'commit', '-q', '--no-verify', '-m', message]);
        if (!committed.ok) return { done: false, reason: `git commit failed: ${committed.stderr}`, files: [] };
      }
    }
    let commit: string | null = null;
    let into: string | null = null;
    if (action === 'merge') {
      const dirty = await git(main, ['status', '--porcelain']);
      if (dirty.stdout !== '')
        return {
          done: false,
          reason: 'the main checkout has changes of its own: commit or stash them first',
          files: dirty.stdout.split('\n').map((line) => line.slice(3)),
        };
      into = (await git(main, ['symbolic-ref', '--short', '-q', 'HEAD'])).stdout || null;
      const merged = await git(main, [
        ...as,
        'merge',
        '-q',
        fastForward ? '--ff' : '--no-ff',
        '-m',
        `Merge ${branch}: ${message}`,
        branch,
      ]);
      if (!merged.ok) {
        const conflicted = await git(main, ['diff', '--name-only', '--diff-filter=U']);
        await git(main, ['merge', '--abort']);
        return {
          done: false,
          reason: `merging ${branch} into ${into ?? 'HEAD'} would conflict`,
          files: conflicted.stdout.split('\n').filter(Boolean),
        };
      }
      commit = (await git(main, ['rev-parse', 'HEAD'])).stdout;
    }
    const removed = await git(main, ['worktree', 'remove', '--force', path]);
    if (!removed.ok) return { done: false, reason: `git worktree remove failed: ${removed.stderr}`, files: [] };
    if (action !== 'keep') {
      const deleted = await git(main, ['branch', '-D', branch]);
      if (!deleted.ok) return { done: false, reason: `git branch -D failed: ${deleted.stderr}`, files: [] };
    }
    return { done: true, commit, into };
  }

  async removeWorktree({ path, branch }: Worktree): Promise<WorktreeRemoval> {
    const common = await git(path, ['rev-parse', '--path-format=absolute', '--git-common-dir']);
    if (!common.ok) return { removed: false, reason: `not a git worktree: ${common.stderr}` };
    const mainRepo = dirname(common.stdout);
    const status = await git(path, ['status', '--porcelain']);
    if (!status.ok) return { removed: false, reason: `git status failed: ${status.stderr}` };
    if (status.stdout !== '') return { removed: false, reason: 'uncommitted changes' };
    const unmerged = await git(mainRepo, ['rev-list', '--count', branch, '--not', `--exclude=${branch}`, '--branches']);
    if (!unmerged.ok) return { removed: false, reason: `git rev-list failed: ${unmerged.stderr}` };
    if (unmerged.stdout !== '0') return { removed: false, reason: `${unmerged.stdout} unmerged commit(s) on ${branch}` };
    const removed = await git(mainRepo, ['worktree', 'remove', path]);
    if (!removed.ok) return { removed: false, reason: `git worktree remove failed: ${removed.stderr}` };
    const deleted = await git(mainRepo, ['branch', '-D', branch]);
    if (!deleted.ok) return { removed: false, reason: `worktree removed, but git branch -D failed: ${deleted.stderr}` };
    return { removed: true };
  }
}
