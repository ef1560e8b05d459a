import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { CommandNotFoundError } from '../../domain/index.js';

/** Whether `path` is a file this process may execute. */
async function executable(path: string): Promise<boolean> {
  return access(path, constants.X_OK).then(
    () => true,
    () => false,
  );
}

/**
 * Checks, before a session is created, that the program a spawn names can run: a path (with a
 * `/`) must be an executable file (relative to `cwd`), a bare name must be found on `PATH` (the
 * spawn's own `PATH` when it sets one, else Maestro's), as `execvp` would search it.
 * @throws CommandNotFoundError naming the program and where it was looked for
 */
export async function requireProgram(program: string, cwd: string, pathVariable: string | undefined): Promise<void> {
  if (program.includes('/')) {
    const path = isAbsolute(program) ? program : resolve(cwd, program);
    if (await executable(path)) return;
    throw new CommandNotFoundError(program, `${path} is not an executable file`);
  }
  const dirs = (pathVariable ?? '').split(delimiter).filter(Boolean);
  for (const dir of dirs) if (await executable(join(dir, program))) return;
  throw new CommandNotFoundError(program, `not found on PATH (${dirs.join(delimiter) || 'empty'})`);
}
