import { resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { MERGE_STRATEGIES } from '../domain/index.js';
import { shouldColour } from './colour.js';
import { confirm } from './confirm.js';
import { clientFor, globals, signedIntOption, terminalWidth } from './context.js';
import { emit } from './output.js';
import { prettyProject, prettyProjects } from './tracker-output.js';

/** `maestro project …` */
export function projectCommands(program: Command): void {
  const project = program.command('project').description('create, edit, list, complete and delete projects');
  const mergeStrategy = () =>
    new Option(
      '--merge-strategy <strategy>',
      'how finish --merge brings a worktree back: a merge commit, or fast-forward when it can',
    ).choices(MERGE_STRATEGIES);

  project
    .command('create')
    .description(
      'create a project for a repository, e.g. maestro project create -n web --enqueue --agent claude -- -p "build it"',
    )
    .requiredOption('-n, --name <name>', 'project name')
    .option('-r, --repo <dir>', 'repository directory (default: the current directory)')
    .option('-d, --description <text>', 'what the project is')
    .option('--priority <n>', 'queue priority, higher first (default 0)', signedIntOption('--priority'))
    .option('--id <id>', 'client-given id (proj_…)')
    .option('--enqueue', 'put it in the queue at once')
    .option('--agent <program>', 'the agent the scheduler spawns when it starts the project (its arguments after --)')
    .addOption(mergeStrategy())
    .option('--no-auto-task-status', "do not move tasks' statuses as their sessions start and end")
    .argument('[args...]', 'arguments of --agent')
    .action(async (args: string[], opts, cmd: Command) => {
      const created = await clientFor(cmd).projects.create({
        name: opts.name,
        repoPath: resolve(opts.repo ?? '.'),
        description: opts.description,
        priority: opts.priority,
        id: opts.id,
        enqueue: opts.enqueue,
        agentCommand: opts.agent ? [opts.agent, ...args] : undefined,
        mergeStrategy: opts.mergeStrategy,
        autoTaskStatus: opts.autoTaskStatus,
      });
      emit(globals(cmd).output, created, prettyProject);
    });

  project
    .command('update <id>')
    .description('edit a project, e.g. maestro project update web --priority 5 --agent claude -- --model opus')
    .option('-n, --name <name>', 'new name')
    .option('-r, --repo <dir>', 'new repository directory (must exist)')
    .option('-d, --description <text>', 'new description')
    .option('--priority <n>', 'new queue priority, higher first', signedIntOption('--priority'))
    .option('--agent <program>', 'new agent command for the scheduler (its arguments after --)')
    .option('--no-agent', 'clear the agent command')
    .addOption(mergeStrategy())
    .option('--auto-task-status', "move tasks' statuses as their sessions start and end")
    .option('--no-auto-task-status', "leave tasks' statuses to people")
    .argument('[args...]', 'arguments of --agent')
    .action(async (id: string, args: string[], opts, cmd: Command) => {
      const updated = await clientFor(cmd).projects.update(id, {
        name: opts.name,
        repoPath: opts.repo === undefined ? undefined : resolve(opts.repo),
        description: opts.description,
        priority: opts.priority,
        // --agent X gives a program, --no-agent gives false, neither leaves it as it is.
        agentCommand: typeof opts.agent === 'string' ? [opts.agent, ...args] : opts.agent === false ? null : undefined,
        mergeStrategy: opts.mergeStrategy,
        autoTaskStatus: opts.autoTaskStatus,
      });
      emit(globals(cmd).output, updated, prettyProject);
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
    .option('-n, --name <name>', 'only projects with exactly this name')
    .action(async (opts, cmd: Command) =>
      emit(globals(cmd).output, await clientFor(cmd).projects.list({ name: opts.name }), (list) =>
        prettyProjects(list, { width: terminalWidth(), colour: shouldColour() }),
      ),
    );
}
