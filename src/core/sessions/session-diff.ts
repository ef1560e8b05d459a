import { access } from 'node:fs/promises';
import parseDiff from 'parse-diff';
import { ConflictError, type SessionDiff, ValidationError } from '../../domain/index.js';
import type { GitInspector, RawDiff } from '../runtime.js';
import type { SessionWrites } from './session-writes.js';

/** Limits of one diff answer (README §API): lines of hunks per file, and bytes of hunks in all. */
export const DIFF_LIMITS = { fileLines: 5000, totalBytes: 4 * 1024 * 1024 } as const;

type DiffFile = SessionDiff['files'][number];

/** `--numstat -z` records: `ins\tdel\tpath\0`, or for a rename `ins\tdel\t\0old\0new\0`; binary files read `-\t-`. */
function readNumstat(
  numstat: string,
): Map<string, { insertions: number; deletions: number; binary: boolean; oldPath: string | null }> {
  const stats = new Map<string, { insertions: number; deletions: number; binary: boolean; oldPath: string | null }>();
  const parts = numstat.split('\0');
  for (let i = 0; i < parts.length; i++) {
    const record = parts[i] as string;
    const match = /^(-|\d+)\t(-|\d+)\t(.*)$/.exec(record.replace(/^\n/, ''));
    if (!match) continue;
    const [, ins, del, inline] = match as unknown as [string, string, string, string];
    let path = inline;
    let oldPath: string | null = null;
    if (inline === '') {
      oldPath = parts[++i] ?? null;
      path = parts[++i] ?? '';
    }
    // `--no-index` against /dev/null names the new file as is; strip nothing else.
    stats.set(path, {
      insertions: ins === '-' ? 0 : Number(ins),
      deletions: del === '-' ? 0 : Number(del),
      binary: ins === '-',
      oldPath,
    });
  }
  return stats;
}

/** A path as parse-diff gives it (`a/…`, `b/…`, `/dev/null`) → the repository's. */
const clean = (path: string | undefined): string | null => (!path || path === '/dev/null' ? null : path.replace(/^[ab]\//, ''));

/**
 * What a session changed (docs/design.md §Review): `git diff` of its directory (its worktree, or
 * the directory it ran in) against the commit it started from (`gitContext.commit`), uncommitted
 * and untracked changes included, parsed per file (parse-diff) and cut to {@link DIFF_LIMITS}.
 * Works while the directory exists, ended sessions included.
 */
export class SessionDiffs {
  constructor(
    private readonly deps: { git: GitInspector },
    private readonly writes: Pick<SessionWrites, 'fetch'>,
  ) {}

  /**
   * @param stat leave the hunks out (counts only)
   * @param context lines of context around each change
   * @throws NotFoundError; ValidationError for a session Maestro did not start in a git
   *   repository; ConflictError when its directory is gone
   */
  async diff(id: string, { stat, context }: { stat: boolean; context: number }): Promise<SessionDiff> {
    const session = await this.writes.fetch(id);
    const base = session.gitContext.commit;
    const directory = session.launch?.cwd ?? null;
    if (!base || !directory)
      throw new ValidationError([
        { path: 'params.id', message: `session ${id} was not started by Maestro in a git repository: no commit to compare with` },
      ]);
    if (
      !(await access(directory).then(
        () => true,
        () => false,
      ))
    )
      throw new ConflictError(`session ${id}'s directory is gone (${directory}): nothing to compare`, {
        sessionId: id,
        directory,
      });
    const raw: RawDiff = await this.deps.git.diff(directory, base, context);
    return { base, directory, ...summarise(raw, stat) };
  }
}

/** Files, totals and the truncation flag of a raw diff; hunks cut per file and in total. */
function summarise(raw: RawDiff, stat: boolean): Pick<SessionDiff, 'files' | 'totals' | 'truncated'> {
  const stats = readNumstat(raw.numstat);
  let budget: number = DIFF_LIMITS.totalBytes;
  let truncated = false;
  const files: DiffFile[] = parseDiff(raw.patch).map((file) => {
    const path = clean(file.to) ?? clean(file.from) ?? '';
    const from = clean(file.from);
    const numbers = stats.get(path);
    const status: DiffFile['status'] = numbers?.binary
      ? 'binary'
      : file.new || from === null
        ? 'added'
        : file.deleted || clean(file.to) === null
          ? 'deleted'
          : from !== path
            ? 'renamed'
            : 'modified';
    const lines = file.chunks.flatMap((chunk) => [chunk.content, ...chunk.changes.map((change) => change.content)]);
    let hunks: string | null = stat || status === 'binary' || lines.length === 0 ? null : lines.join('\n');
    let cut = false;
    if (hunks !== null && lines.length > DIFF_LIMITS.fileLines) {
      hunks = lines.slice(0, DIFF_LIMITS.fileLines).join('\n');
      cut = true;
    }
    if (hunks !== null && hunks.length > budget) {
      hunks = null;
      cut = true;
    }
    if (hunks !== null) budget -= hunks.length;
    truncated ||= cut;
    return {
      path,
      oldPath: status === 'renamed' ? from : null,
      status,
      insertions: numbers?.insertions ?? file.additions,
      deletions: numbers?.deletions ?? file.deletions,
      hunks,
      truncated: cut,
    };
  });
  const totals = files.reduce(
    (sum, f) => ({ files: sum.files + 1, insertions: sum.insertions + f.insertions, deletions: sum.deletions + f.deletions }),
    { files: 0, insertions: 0, deletions: 0 },
  );
  return { files, totals, truncated };
}
