import { basename, resolve } from 'node:path';
import { execa } from 'execa';
import type { GitInspector } from '../core/runtime.js';
import type { GitContext } from '../domain/index.js';

async function git(dir: string, args: string[]): Promise<string | null> {
  const result = await execa('git', ['-C', dir, ...args], { reject: false, timeout: 5000, stdin: 'ignore' });
  return result.exitCode === 0 ? result.stdout.trim() : null;
}

/** Reads git context with the `git` command (argument arrays, no shell). */
export class GitCli implements GitInspector {
  async context(dir: string): Promise<GitContext> {
    const paths = await git(dir, ['rev-parse', '--path-format=absolute', '--show-toplevel', '--git-dir', '--git-common-dir']);
    if (paths === null) return { branch: null, commit: null, repoRoot: null, isWorktree: false, worktreeName: null };
    const [repoRoot = null, gitDir = '', commonDir = ''] = paths.split('\n');
    const [branch, commit] = await Promise.all([
      git(dir, ['symbolic-ref', '--short', '-q', 'HEAD']),
      git(dir, ['rev-parse', '-q', '--verify', 'HEAD']),
    ]);
    const isWorktree = resolve(gitDir) !== resolve(commonDir);
    return {
      branch: branch || null,
      commit: commit || null,
      repoRoot,
      isWorktree,
      worktreeName: isWorktree ? basename(gitDir) : null,
    };
  }
}
