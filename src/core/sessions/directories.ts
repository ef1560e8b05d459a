import { stat } from 'node:fs/promises';
import { ValidationError } from '../../domain/index.js';

/**
 * Checks that `path` is an existing directory, before anything is written that would start a
 * session there.
 * @param field the input field that named it, e.g. `body.repoPath`
 * @throws ValidationError naming `field` and `path` when it does not exist or is not a directory
 */
export async function requireDirectory(path: string, field: string): Promise<void> {
  const isDir = await stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isDir) throw new ValidationError([{ path: field, message: `directory ${path} does not exist` }]);
}
