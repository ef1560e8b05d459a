import { type Command, Option } from 'commander';
import { TASK_STATUSES } from '../domain/index.js';
import { confirm } from './confirm.js';
import { clientFor, globals, intOption } from './context.js';
import { emit, prettyTask, prettyTasks } from './output.js';

/** `maestro task …` */
export function taskCommands(program: Command): void {
  const task = program.command('task').description('create and inspect tasks');

  task
    .command('create')
    .description('create a task in a project')
    .requiredOption('-p, --project <id>', 'project id')
    .requiredOption('--title <title>', 'task title')
    .option('-d, --description <text>', 'task description')
    .option('--id <id>', 'client-given id (task_…)')
    .action(async (opts, cmd: Command) => {
      const created = await clientFor(cmd).tasks.create({
        projectId: opts.project,
        title: opts.title,
        description: opts.description,
        id: opts.id,
      });
      emit(globals(cmd).output, created, prettyTask);
    });

  task
    .command('list')
    .description('list tasks, newest first')
    .option('-p, --project <id>', 'only this project')
    .addOption(new Option('-s, --status <status>', 'only this status').choices(TASK_STATUSES))
    .option('--limit <n>', 'at most n (default 100)', intOption('--limit'))
    .action(async (opts, cmd: Command) => {
      const tasks = await clientFor(cmd).tasks.list({ projectId: opts.project, status: opts.status, limit: opts.limit });
      emit(globals(cmd).output, tasks, prettyTasks);
    });

  task
    .command('get <id>')
    .description('show a task with its sessions and timeline')
    .action(async (id: string, _opts, cmd: Command) => emit(globals(cmd).output, await clientFor(cmd).tasks.get(id), prettyTask));

  task
    .command('update <id>')
    .description('change a task: title, description, status (e.g. maestro task update task_x -s done)')
    .option('--title <title>', 'new title')
    .option('-d, --description <text>', 'new description')
    .addOption(new Option('-s, --status <status>', 'new status').choices(TASK_STATUSES))
    .action(async (id: string, opts, cmd: Command) => {
      const updated = await clientFor(cmd).tasks.update(id, {
        title: opts.title,
        description: opts.description,
        status: opts.status,
      });
      emit(globals(cmd).output, updated, prettyTask);
    });

  task
    .command('delete <id>')
    .description('delete a task; its sessions stay, unlinked from it')
    .option('-y, --yes', 'do not ask for confirmation')
    .action(async (id: string, opts: { yes?: boolean }, cmd: Command) => {
      await confirm(`delete task ${id}?`, opts.yes);
      await clientFor(cmd).tasks.delete(id);
      emit(globals(cmd).output, { deleted: id }, () => `deleted ${id}`);
    });
}
