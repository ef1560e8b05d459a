import type { IdKind } from '../domain/index.js';

/**
 * Which arguments and options of the CLI take a name or the start of an id in place of an id
 * (issue #22: names, not ids): the one rulebook `resolveReferences` (resolve.ts) resolves by and
 * shell completion offers names by.
 */

/**
 * What the argument at `index` of a command of `group` names: the first argument of `session …`,
 * `project …`, `task …` and `queue …` commands that take one, and the task of `session link|unlink`.
 */
export function argumentKind(group: string | undefined, args: readonly string[], index: number): IdKind | undefined {
  const name = args[index];
  if (index === 0 && name === 'id' && (group === 'session' || group === 'project' || group === 'task')) return group;
  if (index === 0 && name === 'projectId' && group === 'queue') return 'project';
  if (index === 1 && name === 'taskId' && group === 'session') return 'task';
  return undefined;
}

/**
 * What the option whose value is stored under `key` names: `--project` and `--task` outside the
 * hook commands, and `--parent` (a task's parent task, a session's parent session).
 */
export function optionKind(group: string | undefined, key: string): IdKind | undefined {
  if (group === 'hook' || group === 'hooks') return undefined;
  if (key === 'parent') return group === 'task' ? 'task' : group === 'session' ? 'session' : undefined;
  return key === 'project' ? 'project' : key === 'task' ? 'task' : key === 'session' ? 'session' : undefined;
}
