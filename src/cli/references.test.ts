import type { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildProgram } from './program.js';
import { argumentKind, optionKind } from './references.js';
import { resolveReferences } from './resolve.js';

/** A server on which any name looked up is found: the id it answers says which kind was looked up. */
function serverFindingEveryName(): void {
  vi.stubGlobal('fetch', async (input: string | URL | Request) => {
    const kind = new URL(input instanceof Request ? input.url : String(input)).pathname.split('/')[2] as string;
    const id = `${{ sessions: 'sess', projects: 'proj', tasks: 'task' }[kind]}_resolved`;
    const found = { id, name: 'ref', title: 'ref', status: 'running' };
    return new Response(JSON.stringify({ [kind]: [found], seq: 0 }), { headers: { 'content-type': 'application/json' } });
  });
}

/** The kind of id a resolved value is, or undefined when it was left as typed. */
const KIND_OF: Record<string, string> = { sess_resolved: 'session', proj_resolved: 'project', task_resolved: 'task' };

const everyCommand = (command: Command): Command[] => [command, ...command.commands.flatMap(everyCommand)];

describe('argumentKind and optionKind (what completion offers names for)', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('say exactly which arguments and options resolveReferences takes a name for', async () => {
    serverFindingEveryName();
    let checked = 0;
    for (const command of everyCommand(buildProgram())) {
      const group = command.parent?.name();
      const names = command.registeredArguments.map((a) => a.name());
      if (names.length > 0) {
        command.processedArgs = names.map(() => 'ref');
        await resolveReferences(command);
        names.forEach((_, i) => {
          expect(KIND_OF[command.processedArgs[i]], `${command.name()} <${names[i]}>`).toBe(argumentKind(group, names, i));
        });
        checked++;
      }
      for (const option of command.options.filter((o) => ['project', 'task', 'parent'].includes(o.attributeName()))) {
        const key = option.attributeName();
        command.processedArgs = [];
        command.setOptionValue(key, 'ref');
        await resolveReferences(command);
        expect(KIND_OF[command.getOptionValue(key)], `${command.name()} --${key}`).toBe(optionKind(group, key));
        command.setOptionValue(key, undefined);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(20);
  });
});
