import { type Command, Option } from 'commander';
import type { MaestroClient } from '../client/index.js';
import type { Task, TaskSummary } from '../domain/index.js';
import { TASK_STATUSES } from '../domain/index.js';
import { shouldColour } from './colour.js';
import { confirm } from './confirm.js';
import { clientFor, globals, intOption, signedIntOption, terminalWidth } from './context.js';
import { emit, type OutputFormat } from './output.js';
import { prettyTask, prettyTasks } from './tracker-output.js';

/** Prints tasks: JSON as they are, or a tree with project names for people. */
async function emitTasks(client: MaestroClient, output: OutputFormat, tasks: TaskSummary[]): Promise<void> {
  const projects = output === 'json' ? [] : await client.projects.list();
  const names = new Map(projects.map((p) => [p.id, p.name]));
  emit(output, tasks, (list) => prettyTasks(list, { width: terminalWidth(), colour: shouldColour(), projects: names }));
}

/** Prints one task: JSON as it is, or in full with its project's name and a readable timeline. */
async function emitTask(client: MaestroClient, output: OutputFormat, task: Task): Promise<void> {
  const project = output === 'json' ? undefined : await client.projects.get(task.projectId).catch(() => undefined);
  emit(output, task, (t) => prettyTask(t, { colour: shouldColour(), ...(project ? { projectName: project.name } : {}) }));
}

/** `maestro task …` */
export function taskCommands(program: Command): void {
  const task = program.command('task').description('create, edit and inspect tasks and their subtasks');

  task
    .command('create')
    .description('create a task in a project')
    .requiredOption('-p, --project <id>', 'project id')
    .requiredOption('--title <title>', 'task title')
    .option('-d, --description <text>', 'task description')
    .option('--priority <n>', 'higher first (default 0)', signedIntOption('--priority'))
    .option('--parent <task>', 'make it a subtask of this task (same project)')
    .option('--id <id>', 'client-given id (task_…)')
    .action(async (opts, cmd: Command) => {
      const client = clientFor(cmd);
      const created = await client.tasks.create({
        projectId: opts.project,
        title: opts.title,
        description: opts.description,
        priority: opts.priority,
        parentId: opts.parent,
        id: opts.id,
      });
      await emitTask(client, globals(cmd).output, created);
    });

  task
    .command('list')
    .description('list tasks as a tree (subtasks under their parent), highest priority first, then newest')
    .option('-p, --project <id>', 'only this project')
    .addOption(new Option('-s, --status <status>', 'only this status').choices(TASK_STATUSES))
    .option('--parent <task>', 'only the subtasks of this task')
    .option('--limit <n>', 'at most n (default 100)', intOption('--limit'))
    .action(async (opts, cmd: Command) => {
      const client = clientFor(cmd);
      const tasks = await client.tasks.list({
        projectId: opts.project,
        status: opts.status,
        parentId: opts.parent,
        limit: opts.limit,
      });
      await emitTasks(client, globals(cmd).output, tasks);
    });

  task
    .command('get <id>')
    .description('show a task with its sessions and timeline')
    .action(async (id: string, _opts, cmd: Command) => {
      const client = clientFor(cmd);
      await emitTask(client, globals(cmd).output, await client.tasks.get(id));
    });

  task
    .command('update <id>')
    .description(
      'change a task: title, description, status, priority, parent (e.g. maestro task update login -s done); a status you set stays until you change it',
    )
    .option('--title <title>', 'new title')
    .option('-d, --description <text>', 'new description')
    .addOption(new Option('-s, --status <status>', 'new status').choices(TASK_STATUSES))
    .option('--priority <n>', 'new priority, higher first', signedIntOption('--priority'))
    .option('--parent <task>', 'make it a subtask of this task')
    .option('--no-parent', 'make it a top-level task')
    .action(async (id: string, opts, cmd: Command) => {
      const client = clientFor(cmd);
      const updated = await client.tasks.update(id, {
        title: opts.title,
        description: opts.description,
        status: opts.status,
        priority: opts.priority,
        parentId: typeof opts.parent === 'string' ? opts.parent : opts.parent === false ? null : undefined,
      });
      await emitTask(client, globals(cmd).output, updated);
    });

  task
    .command('note <id> <message...>')
    .description('add a note to a task\'s timeline, e.g. maestro task note login "asked for smaller commits"')
    .action(async (id: string, message: string[], _opts, cmd: Command) => {
      const entry = await clientFor(cmd).tasks.note(id, message.join(' '));
      emit(globals(cmd).output, entry, (e) => `noted on ${id} at ${e.timestamp}`);
    });

  task
    .command('children <id>')
    .description('list the direct subtasks of a task')
    .action(async (id: string, _opts, cmd: Command) => {
      const client = clientFor(cmd);
      await emitTasks(client, globals(cmd).output, await client.tasks.children(id));
    });

  task
    .command('delete <id>')
    .description('delete a task and its subtasks; their sessions stay, unlinked from them')
    .option('-y, --yes', 'do not ask for confirmation')
    .action(async (id: string, opts: { yes?: boolean }, cmd: Command) => {
      await confirm(`delete task ${id} and its subtasks?`, opts.yes);
      await clientFor(cmd).tasks.delete(id);
      emit(globals(cmd).output, { deleted: id }, () => `deleted ${id}`);
    });
}
