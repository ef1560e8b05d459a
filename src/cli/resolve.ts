import type { Command } from 'commander';
import type { MaestroClient } from '../client/index.js';
import { ID_PREFIX, ID_START, type IdKind, isId } from '../domain/index.js';
import { clientFor } from './context.js';

/** At most this many candidates are listed when a name or prefix is ambiguous. */
const SHOWN = 10;

/** Something a person may name: its id and what they call it. */
interface Named {
  id: string;
  label: string;
}

/**
 * The one id among `named` that `ref` names: by its exact name first, then by the start of its id
 * (with or without the `sess_` / `proj_` / `task_` prefix, as git takes short hashes).
 * @throws Error saying nothing matches, or listing the candidates when several do
 */
function pick(kind: IdKind, ref: string, byName: Named[], byPrefix: () => Promise<Named[]>): Promise<string> | string {
  const choose = (found: Named[], how: string): string => {
    if (found.length === 1) return (found[0] as Named).id;
    const listed = found.slice(0, SHOWN).map((n) => `  ${n.id}  ${n.label}`);
    throw new Error(
      [`"${ref}" ${how} ${found.length}${found.length >= SHOWN ? '+' : ''} ${kind}s; say which:`, ...listed].join('\n'),
    );
  };
  if (byName.length > 0) return choose(byName, 'names');
  return byPrefix().then((found) => {
    if (found.length === 0) throw new Error(`no ${kind} is named "${ref}" or has an id starting with it`);
    return choose(found, 'starts the ids of');
  });
}

/** The id prefixes `ref` may stand for: itself, and with the kind's prefix when it lacks one. */
function prefixes(kind: IdKind, ref: string): string[] {
  const full = `${ID_PREFIX[kind]}_`;
  return ref.startsWith(full) ? [ref] : [ref, `${full}${ref}`];
}

/** A session id from an id, a session name or the start of an id. */
export async function sessionIdOf(client: MaestroClient, ref: string): Promise<string> {
  if (isId('session', ref)) return ref;
  const named = (await client.sessions.list({ name: ref, limit: SHOWN })).sessions;
  return pick(
    'session',
    ref,
    named.map((s) => ({ id: s.id, label: `${s.status}` })),
    async () => {
      const found = new Map<string, Named>();
      for (const idPrefix of prefixes('session', ref).filter((p) => ID_START.test(p)))
        for (const s of (await client.sessions.list({ idPrefix, limit: SHOWN })).sessions)
          found.set(s.id, { id: s.id, label: `${s.name}  ${s.status}` });
      return [...found.values()];
    },
  );
}

/** A project id from an id, a project name or the start of an id. */
export async function projectIdOf(client: MaestroClient, ref: string): Promise<string> {
  if (isId('project', ref)) return ref;
  const label = (p: { id: string; name: string; status: string }) => ({ id: p.id, label: `${p.name}  ${p.status}` });
  return pick('project', ref, (await client.projects.list({ name: ref })).map(label), async () =>
    (await client.projects.list()).filter((p) => prefixes('project', ref).some((prefix) => p.id.startsWith(prefix))).map(label),
  );
}

/** A task id from an id, a task title or the start of an id (among the 1,000 highest-priority, newest tasks). */
export async function taskIdOf(client: MaestroClient, ref: string): Promise<string> {
  if (isId('task', ref)) return ref;
  const label = (t: { id: string; title: string; status: string }) => ({ id: t.id, label: `${t.title}  ${t.status}` });
  return pick('task', ref, (await client.tasks.list({ name: ref, limit: SHOWN })).map(label), async () =>
    (await client.tasks.list({ limit: 1000 }))
      .filter((t) => prefixes('task', ref).some((prefix) => t.id.startsWith(prefix)))
      .map(label),
  );
}

/**
 * Lets every command take a name or the start of an id wherever it takes an id (issue #22): the
 * first argument of `session …`, `project …`, `task …` and `queue …` commands that take one, the
 * task of `session link|unlink`, and the `--project` and `--task` options. Resolved before the
 * action runs (commander's preAction hook), so each action still gets ids.
 */
export async function resolveReferences(action: Command): Promise<void> {
  const group = action.parent?.name();
  const args = action.registeredArguments.map((a) => a.name());
  const raw = action.processedArgs as unknown[];
  let client: MaestroClient | undefined;
  const api = () => {
    client ??= clientFor(action);
    return client;
  };
  const at = async (i: number, resolve: (c: MaestroClient, ref: string) => Promise<string>) => {
    if (typeof raw[i] === 'string') raw[i] = await resolve(api(), raw[i] as string);
  };
  if (group === 'session' && args[0] === 'id') await at(0, sessionIdOf);
  if (group === 'session' && args[1] === 'taskId') await at(1, taskIdOf);
  if ((group === 'project' && args[0] === 'id') || (group === 'queue' && args[0] === 'projectId')) await at(0, projectIdOf);
  if (group === 'task' && args[0] === 'id') await at(0, taskIdOf);
  if (group === 'hook' || group === 'hooks') return;
  const opts = action.opts() as { project?: unknown; task?: unknown; parent?: unknown };
  if (typeof opts.project === 'string') action.setOptionValue('project', await projectIdOf(api(), opts.project));
  if (group === 'task' && typeof opts.parent === 'string') action.setOptionValue('parent', await taskIdOf(api(), opts.parent));
  if (group === 'session' && typeof opts.parent === 'string')
    action.setOptionValue('parent', await sessionIdOf(api(), opts.parent));
  if (Array.isArray(opts.task))
    action.setOptionValue('task', await Promise.all(opts.task.map((t) => taskIdOf(api(), String(t)))));
  else if (typeof opts.task === 'string') action.setOptionValue('task', await taskIdOf(api(), opts.task));
}
