import { resolve } from 'node:path';
import type { Command } from 'commander';
import { confirm } from './confirm.js';
import { clientFor, globals } from './context.js';
import { emit, prettyProject, prettyProjects } from './output.js';

/** `maestro project …` */
export function projectCommands(program: Command): void {
  const project = program.command('project').description('create, list and complete projects');

  project
    .command('create')
    .description(
      'create a project for a repository, e.g. maestro project create -n web --enqueue --agent claude -- -p "build it"',
    )
    .requiredOption('-n, --name <name>', 'project name')
    .option('-r, --repo <dir>', 'repository directory (default: the current directory)')
    .option('--priority <n>', 'queue priority, higher first (default 0)', (v) => Number(v))
    .option('--id <id>', 'client-given id (proj_…)')
    .option('--enqueue', 'put it in the queue at once')
    .option('--agent <program>', 'the agent the scheduler spawns when it starts the project (its arguments after --)')
    .argument('[args...]', 'arguments of --agent')
    .action(async (args: string[], opts, cmd: Command) => {
      const created = await clientFor(cmd).projects.create({
        name: opts.name,
        repoPath: resolve(opts.repo ?? '.'),
        priority: opts.priority,
        id: opts.id,
        enqueue: opts.enqueue,
        agentCommand: opts.agent ? [opts.agent, ...args] : undefined,
      });
      emit(globals(cmd).output, created, prettyProject);
    });

  project
    .command('complete <id>')
    .description('complete a project: ends and kills its sessions, starts the next queued one')
    .option('--failed', 'record it as failed')
    .option('--reason <text>', 'why')
    .action(async (id: string, opts, cmd: Command) =>
      emit(
        globals(cmd).output,
        await clientFor(cmd).projects.complete(id, { success: !opts.failed, reason: opts.reason }),
        prettyProject,
      ),
    );

  project
    .command('get <id>')
    .description('show one project')
    .action(async (id: string, _opts, cmd: Command) =>
      emit(globals(cmd).output, await clientFor(cmd).projects.get(id), prettyProject),
    );

  project
    .command('delete <id>')
    .description('delete a project with all its sessions (their tmux sessions killed) and tasks')
    .option('-y, --yes', 'do not ask for confirmation')
    .action(async (id: string, opts: { yes?: boolean }, cmd: Command) => {
      await confirm(`delete project ${id} with all its sessions (running ones killed) and tasks?`, opts.yes);
      const gone = await clientFor(cmd).projects.delete(id);
      emit(
        globals(cmd).output,
        gone,
        (g) => `deleted ${g.id}: ${g.sessions} sessions (${g.killed} running, killed), ${g.tasks} tasks`,
      );
    });

  project
    .command('list')
    .description('list projects, highest priority first')
    .action(async (_opts, cmd: Command) => emit(globals(cmd).output, await clientFor(cmd).projects.list(), prettyProjects));
}
