import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, Cleanup, git, gitRepo, testMaestro, until } from './helpers.js';

describe('finishing a worktree session (issue #21.3), real git', () => {
  const cleanup = new Cleanup();
  let m: Awaited<ReturnType<typeof testMaestro>>;
  let url: string;
  let repo: string;
  beforeAll(async () => {
    m = await testMaestro(cleanup);
    repo = gitRepo(join(m.dir, 'repo'), { 'app.ts': 'export const answer = 41;\n' });
    await m.services.projects.create({ id: 'proj_f', name: 'f', repoPath: repo });
    await m.services.tasks.create({ id: 'task_answer', projectId: 'proj_f', title: 'Fix the answer' });
    url = await m.listen();
  });
  afterAll(() => cleanup.run());

  /** A worktree session that writes `content` to app.ts (uncommitted) and waits. */
  const agent = async (content: string) => {
    const s = await m.services.sessions.spawn({
      projectId: 'proj_f',
      taskId: 'task_answer',
      worktree: true,
      command: ['sh', '-c', 'printf "%s\\n" "$1" > app.ts; touch .done; exec sleep 300', 'sh', content],
    });
    const path = join(repo, '.maestro', 'worktrees', s.id);
    await until(() => existsSync(join(path, '.done')), 10_000, 'the agent’s edit');
    return { s, path, branch: s.gitContext.branch as string };
  };

  it('merge commits what was left, merges into the main checkout, removes the worktree and the branch, and says so everywhere', async () => {
    const { s, path, branch } = await agent('export const answer = 42;');
    const done = await m.services.sessions.finisher.finish(s.id, { action: 'merge' });
    expect(done).toMatchObject({ action: 'merge', branch, into: 'main' });
    expect(readFileSync(join(repo, 'app.ts'), 'utf8')).toBe('export const answer = 42;\n');
    expect(git(repo, 'log', '-1', '--format=%s')).toBe(`Merge ${branch}: Fix the answer`);
    expect(existsSync(path)).toBe(false);
    expect(git(repo, 'branch', '--list', branch)).toBe('');
    expect((await m.services.sessions.get(s.id)).completedAt).not.toBeNull();
    const { timeline } = await m.services.tasks.get('task_answer');
    expect(timeline.at(-1)).toMatchObject({ type: 'session_finished', sessionId: s.id, data: { action: 'merge', branch } });
    const events = await m.services.store.listEvents(0, 10_000);
    expect(events.some((e) => e.type === 'session:finished' && (e.data as { id: string }).id === s.id)).toBe(true);
  });

  it("merges fast-forward when the project's merge strategy says so, and as asked by the request over it", async () => {
    await m.services.projects.update('proj_f', { mergeStrategy: 'fast_forward' });
    try {
      const ff = await agent('export const answer = 50;');
      await m.services.sessions.finisher.finish(ff.s.id, { action: 'merge' });
      // No merge commit: main now points at the agent's own commit, titled after its task.
      expect(git(repo, 'log', '-1', '--format=%s %P')).toMatch(/^Fix the answer [0-9a-f]{40}$/);
      const forced = await agent('export const answer = 51;');
      await m.services.sessions.finisher.finish(forced.s.id, { action: 'merge', fastForward: false });
      expect(git(repo, 'log', '-1', '--format=%s')).toBe(`Merge ${forced.branch}: Fix the answer`);
    } finally {
      await m.services.projects.update('proj_f', { mergeStrategy: 'merge_commit' });
    }
  });

  it('a merge that would conflict changes nothing and names the file; so does a main checkout with changes of its own', async () => {
    const { s, path, branch } = await agent('export const answer = 43;');
    writeFileSync(join(repo, 'app.ts'), 'export const answer = 44;\n');
    git(repo, 'commit', '-qam', 'a change on main meanwhile');
    const head = git(repo, 'rev-parse', 'HEAD');
    const conflict = await m.app.inject({ method: 'POST', url: `/api/sessions/${s.id}/finish`, payload: { action: 'merge' } });
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json().details.files).toEqual(['app.ts']);
    expect(git(repo, 'rev-parse', 'HEAD')).toBe(head);
    expect(git(repo, 'status', '--porcelain')).toBe('');
    expect(existsSync(path)).toBe(true);

    writeFileSync(join(repo, 'notes.md'), 'mine\n');
    const dirty = await m.app.inject({ method: 'POST', url: `/api/sessions/${s.id}/finish`, payload: { action: 'merge' } });
    expect(dirty.statusCode).toBe(409);
    expect(dirty.json().message).toContain('changes of its own');
    expect(dirty.json().details.files).toEqual(['notes.md']);
    execFileSync('rm', [join(repo, 'notes.md')]);

    // keep: the worktree goes, the branch (with the agent's work committed) stays.
    const kept = await execa(process.execPath, [BIN, '--url', url, 'session', 'finish', s.id, '--keep'], { reject: false });
    expect(kept.stdout).toContain(`kept branch ${branch}`);
    expect(existsSync(path)).toBe(false);
    expect(git(repo, 'show', `${branch}:app.ts`)).toBe('export const answer = 43;');
  });

  it('discard asks first, then removes the worktree and the branch', async () => {
    const { s, path, branch } = await agent('export const answer = 0;');
    const refused = await execa(process.execPath, [BIN, '--url', url, 'session', 'finish', s.id, '--discard'], { reject: false });
    expect(refused.exitCode).not.toBe(0);
    expect(existsSync(path)).toBe(true);
    const discarded = await execa(process.execPath, [BIN, '--url', url, 'session', 'finish', s.id, '--discard', '--yes']);
    expect(discarded.stdout).toContain(`discarded ${branch}`);
    expect(existsSync(path)).toBe(false);
    expect(git(repo, 'branch', '--list', branch)).toBe('');
    const none = await execa(process.execPath, [BIN, '--url', url, 'session', 'finish', s.id], { reject: false });
    expect(none.stderr).toContain('one of --merge, --keep or --discard');
  });
});
