import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { worktreeBranch } from '../src/core/sessions/worktrees.js';
import { Cleanup, git, gitRepo, testMaestro, until } from './helpers.js';

const RETENTION_SECS = 60;
describe('per-session git worktrees', () => {
  let cleanup: Cleanup;
  let m: Awaited<ReturnType<typeof testMaestro>>;
  let repo: string;

  beforeEach(async () => {
    cleanup = new Cleanup();
    m = await testMaestro(cleanup, { retentionSecs: RETENTION_SECS });
    repo = gitRepo(join(m.dir, 'repo'));
    await m.services.projects.create({ id: 'proj_w', name: 'w', repoPath: repo });
  });
  afterEach(() => cleanup.run());

  const spawnInWorktree = async (command: string[]) => {
    const s = await m.services.sessions.spawn({ projectId: 'proj_w', command, worktree: true });
    const path = join(repo, '.maestro', 'worktrees', s.id);
    return { s, path };
  };
  const endAndExpire = async (id: string) => {
    await m.services.sessions.end(id, 'completed');
    m.clock.advance(RETENTION_SECS * 1000);
    return m.sweeper.sweep();
  };

  it('names each branch after its task (else the session’s name), safe for git and unique', async () => {
    const titles = ['Login page', 'fix: a/b ✓ — ünïcödé', '   ', '../..lock', '-x', 'a'.repeat(200), 'Ünï/../v@{1}~^:?*[\\'];
    const ids = ['sess_01M8P7ABCD', 'sess_01M8P7WXYZ'];
    const names = new Set<string>();
    for (const title of titles)
      for (const id of ids) {
        const branch = worktreeBranch(id, title);
        expect(branch).toMatch(/^maestro\/[a-z0-9-]+$/);
        execFileSync('git', ['check-ref-format', '--branch', branch]);
        names.add(branch);
      }
    // Two sessions of one task get two branches.
    expect(names.size).toBe(titles.length * ids.length);
    expect(worktreeBranch('sess_01M8P7ABCD', 'Login page')).toBe('maestro/login-page-abcd');
    expect(worktreeBranch('sess_01M8P7ABCD', 'fix: a/b ✓ — ünïcödé')).toBe('maestro/fix-a-b-unicode-abcd');
    expect(worktreeBranch('sess_01M8P7ABCD', '   ')).toBe('maestro/session-abcd');

    await m.services.tasks.create({ id: 'task_login', projectId: 'proj_w', title: 'Login page' });
    const s = await m.services.sessions.spawn({
      projectId: 'proj_w',
      taskId: 'task_login',
      command: ['sleep', '300'],
      worktree: true,
    });
    expect(s.gitContext.branch).toBe(`maestro/login-page-${s.id.slice(-4).toLowerCase()}`);
  });

  it('starts a worktree from a chosen local branch, and refuses any other name, changing nothing', async () => {
    git(repo, 'checkout', '-q', '-b', 'release');
    git(repo, 'commit', '-q', '--allow-empty', '-m', 'on release');
    git(repo, 'checkout', '-q', 'main');
    expect(await m.services.sessions.spawner.branches('proj_w')).toEqual({ current: 'main', branches: ['main', 'release'] });
    const s = await m.services.sessions.spawn({
      projectId: 'proj_w',
      command: ['sleep', '300'],
      worktree: true,
      baseBranch: 'release',
    });
    expect(s.gitContext.commit).toBe(git(repo, 'rev-parse', 'release'));
    for (const bad of ['nope', '--orphan', 'HEAD~1'])
      await expect(
        m.services.sessions.spawn({ projectId: 'proj_w', command: ['sleep', '300'], worktree: true, baseBranch: bad }),
      ).rejects.toMatchObject({ details: { issues: [expect.objectContaining({ path: 'body.baseBranch' })] } });
    expect((await m.services.sessions.list({ active: true })).sessions).toHaveLength(1);
  });

  it('runs the command in .maestro/worktrees/<id> on a branch of its own', async () => {
    const { s, path } = await spawnInWorktree(['sh', '-c', 'pwd > where.txt; exec sleep 300']);
    expect(s.gitContext).toMatchObject({
      branch: worktreeBranch(s.id, undefined),
      repoRoot: path,
      isWorktree: true,
      worktreeName: s.id,
    });
    await until(() => existsSync(join(path, 'where.txt')), 5000, 'the command to write');
    expect(git(path, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe(worktreeBranch(s.id, undefined));
    expect(git(repo, 'status', '--porcelain')).toBe(''); // .maestro/ is excluded from the main checkout
  });

  it('removes a clean, merged worktree and its branch when the session is purged', async () => {
    const { s, path } = await spawnInWorktree(['true']);
    const report = await endAndExpire(s.id);
    expect(report.purged).toBe(1);
    expect(report.worktreesKept).toEqual([]);
    expect(existsSync(path)).toBe(false);
    expect(git(repo, 'branch', '--list', worktreeBranch(s.id, undefined))).toBe('');
  });

  it('keeps a worktree with uncommitted changes, and one with unmerged commits, and reports them', async () => {
    const dirty = await spawnInWorktree(['true']);
    writeFileSync(join(dirty.path, 'wip.txt'), 'half done');
    const ahead = await spawnInWorktree(['true']);
    writeFileSync(join(ahead.path, 'feature.txt'), 'done');
    git(ahead.path, 'add', 'feature.txt');
    git(ahead.path, 'commit', '-q', '-m', 'feature');

    await m.services.sessions.end(dirty.s.id, 'completed');
    await m.services.sessions.end(ahead.s.id, 'completed');
    m.clock.advance(RETENTION_SECS * 1000);
    const report = await m.sweeper.sweep();
    expect(report.purged).toBe(2);
    expect(report.worktreesKept).toEqual(
      expect.arrayContaining([
        { sessionId: dirty.s.id, path: dirty.path, reason: 'uncommitted changes' },
        { sessionId: ahead.s.id, path: ahead.path, reason: `1 unmerged commit(s) on ${worktreeBranch(ahead.s.id, undefined)}` },
      ]),
    );
    expect(existsSync(dirty.path)).toBe(true);
    expect(existsSync(ahead.path)).toBe(true);
  });

  it('refuses a worktree outside a git repository with a clear 400', async () => {
    await m.services.projects.create({ id: 'proj_plain', name: 'plain', repoPath: m.dir });
    const res = await m.app.inject({
      method: 'POST',
      url: '/api/sessions/spawn',
      payload: { projectId: 'proj_plain', command: ['true'], worktree: true },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().details.issues[0]).toMatchObject({ path: 'body.worktree' });
    expect(res.json().details.issues[0].message).toContain('is not in a git repository');
    expect((await m.services.store.listSessions({ limit: 10 })).length).toBe(0);
  });
});
