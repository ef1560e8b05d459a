import type { Command } from 'commander';
import type { MaestroClient } from '../client/index.js';
import { ID_PREFIX, ID_START, type IdKind, isId } from '../domain/index.js';
import { clientFor } from './context.js';
import { argumentKind, optionKind } from './references.js';

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
          found.set(s.id, { id: s.id, label: `${s.name ?? '-'}  ${s.status}` });
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

/** How each kind of reference is resolved. */
const RESOLVERS: Record<IdKind, (client: MaestroClient, ref: string) => Promise<string>> = {
  session: sessionIdOf,
  project: projectIdOf,
  task: taskIdOf,
  event: async (_client, ref) => ref,
};

/**
 * Lets every command take a name or the start of an id wherever it takes an id (issue #22): the
 * arguments and options `argumentKind` and `optionKind` name (references.ts). Resolved before the
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
  for (const [i, value] of raw.entries()) {
    const kind = argumentKind(group, args, i);
    if (kind && typeof value === 'string') raw[i] = await RESOLVERS[kind](api(), value);
  }
  for (const [key, value] of Object.entries(action.opts())) {
    const kind = optionKind(group, key);
    if (!kind) continue;
    if (Array.isArray(value)) action.setOptionValue(key, await Promise.all(value.map((v) => RESOLVERS[kind](api(), String(v)))));
    else if (typeof value === 'string') action.setOptionValue(key, await RESOLVERS[kind](api(), value));
  }
}
