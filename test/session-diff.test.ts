import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIFF_LIMITS } from '../src/core/sessions/session-diff.js';
import { BIN, Cleanup, git, gitRepo, testMaestro, until } from './helpers.js';

/** What the agent does in its worktree: edit, add, delete, rename (one committed, the rest left uncommitted), a binary file, a huge file. */
const AGENT = [
  'printf "one\\nTWO\\nthree\\n" > kept.txt',
  'rm gone.txt',
  'git mv old-name.txt new-name.txt',
  'git -c user.name=a -c user.email=a@e commit -qm "rename"',
  'printf "brand new\\n" > added.txt',
  'head -c 2048 /dev/urandom > blob.bin',
  `seq 1 ${DIFF_LIMITS.fileLines + 500} > huge.txt`,
  'touch done.flag',
  'exec sleep 300',
].join('; ');

describe('the diff of a session’s work (issue #21.1), real git', () => {
  const cleanup = new Cleanup();
  let m: Awaited<ReturnType<typeof testMaestro>>;
  let url: string;
  let repo: string;
  beforeAll(async () => {
    m = await testMaestro(cleanup);
    repo = gitRepo(join(m.dir, 'repo'), {
      'kept.txt': 'one\ntwo\nthree\n',
      'gone.txt': 'bye\n',
      'old-name.txt': 'same content\nacross a rename\n',
    });
    await m.services.projects.create({ id: 'proj_d', name: 'd', repoPath: repo });
    url = await m.listen();
  });
  afterAll(() => cleanup.run());

  it('shows exactly what a spawned command edited, added, deleted and renamed, committed or not, binary and huge files marked', async () => {
    const s = await m.services.sessions.spawn({ projectId: 'proj_d', command: ['sh', '-c', AGENT], worktree: true });
    const worktree = join(repo, '.maestro', 'worktrees', s.id);
    await until(() => execFileSync('ls', [worktree]).toString().includes('done.flag'), 10_000, 'the agent’s edits');
    const diff = await m.services.sessions.diffs.diff(s.id, { stat: false, context: 3 });
    expect(diff.base).toBe(s.gitContext.commit);
    const byPath = Object.fromEntries(diff.files.map((f) => [f.path, f]));
    expect(Object.keys(byPath).sort()).toEqual([
      'added.txt',
      'blob.bin',
      'done.flag',
      'gone.txt',
      'huge.txt',
      'kept.txt',
      'new-name.txt',
    ]);
    expect(byPath['kept.txt']).toMatchObject({ status: 'modified', insertions: 1, deletions: 1, truncated: false });
    expect(byPath['kept.txt']?.hunks).toContain('-two');
    expect(byPath['kept.txt']?.hunks).toContain('+TWO');
    expect(byPath['gone.txt']).toMatchObject({ status: 'deleted', deletions: 1 });
    expect(byPath['new-name.txt']).toMatchObject({ status: 'renamed', oldPath: 'old-name.txt', insertions: 0, deletions: 0 });
    expect(byPath['added.txt']).toMatchObject({ status: 'added', insertions: 1 });
    expect(byPath['blob.bin']).toMatchObject({ status: 'binary', hunks: null });
    expect(byPath['huge.txt']).toMatchObject({ status: 'added', insertions: DIFF_LIMITS.fileLines + 500, truncated: true });
    expect(diff.truncated).toBe(true);
    // Nothing in the agent's worktree was touched to produce it (no intent-to-add, no index change).
    expect(git(worktree, 'diff', '--cached', '--name-only')).toBe('');

    const stat = (await m.app.inject({ url: `/api/sessions/${s.id}/diff?stat=1` })).json();
    expect(stat.files.every((f: { hunks: unknown }) => f.hunks === null)).toBe(true);
    expect(stat.totals.files).toBe(7);

    const cli = await execa(process.execPath, [BIN, '--url', url, 'session', 'diff', s.id, '--stat']);
    expect(cli.stdout).toMatch(/^R old-name\.txt → new-name\.txt {2}\+0 -0$/m);
    expect(cli.stdout).toMatch(/^D gone\.txt {2}\+0 -1$/m);
    expect(cli.stdout).toContain('7 files changed');
    // Still readable once the session ended, while its worktree is there.
    await m.services.sessions.end(s.id, 'completed');
    expect((await m.services.sessions.diffs.diff(s.id, { stat: true, context: 3 })).totals.files).toBe(7);
  });

  it('compares a session without a worktree with the commit it started from, and refuses one that has none', async () => {
    const s = await m.services.sessions.spawn({
      projectId: 'proj_d',
      command: ['sh', '-c', 'printf "one\\ntwo\\nthree\\nfour\\n" > kept.txt; touch here.flag; exec sleep 300'],
    });
    await until(() => execFileSync('ls', [repo]).toString().includes('here.flag'), 10_000, 'the edit');
    const diff = await m.services.sessions.diffs.diff(s.id, { stat: false, context: 0 });
    expect(diff.files.find((f) => f.path === 'kept.txt')).toMatchObject({ status: 'modified', insertions: 1, deletions: 0 });
    const record = await m.services.sessions.create({ projectId: 'proj_d' });
    const refused = await m.app.inject({ url: `/api/sessions/${record.id}/diff` });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().details.issues[0].message).toContain('no commit to compare with');
    await m.services.sessions.delete(s.id);
  });
});
