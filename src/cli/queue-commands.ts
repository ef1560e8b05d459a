import type { Command } from 'commander';
import type { QueueView } from '../client/index.js';
import { confirm } from './confirm.js';
import { clientFor, globals } from './context.js';
import { emit, table } from './output.js';
import { prettyProject } from './tracker-output.js';

const prettyQueue = (q: QueueView) =>
  [
    q.paused ? 'queue: PAUSED (queued projects wait; `maestro queue resume`)' : 'queue: running',
    '',
    table(
      ['POS', 'ID', 'STATUS', 'PRIORITY', 'NAME', 'AGENT'],
      [
        ...q.running.map((p) => ['run', p.id, p.status, String(p.priority), p.name, p.agentCommand?.join(' ') ?? '-']),
        ...q.queued.map((p, i) => [String(i + 1), p.id, p.status, String(p.priority), p.name, p.agentCommand?.join(' ') ?? '-']),
      ],
    ),
  ].join('\n');

/** `maestro queue …` */
export function queueCommands(program: Command): void {
  const queue = program.command('queue').description('the project queue the scheduler drains');

  queue
    .command('list')
    .description('running projects, then queued ones in start order')
    .action(async (_opts, cmd: Command) => emit(globals(cmd).output, await clientFor(cmd).queue.list(), prettyQueue));

  queue
    .command('add <projectId>')
    .description('put a project in the queue (again)')
    .option('--priority <n>', 'new priority, higher starts first', (v) => Number(v))
    .action(async (id: string, opts, cmd: Command) =>
      emit(globals(cmd).output, await clientFor(cmd).projects.enqueue(id, { priority: opts.priority }), prettyProject),
    );

  queue
    .command('remove <projectId>')
    .description('take a project out of the queue (cancels it; a running one is stopped with its sessions)')
    .option('-y, --yes', 'do not ask for confirmation when the project is running')
    .action(async (id: string, opts: { yes?: boolean }, cmd: Command) => {
      const client = clientFor(cmd);
      if ((await client.projects.get(id)).status === 'running')
        await confirm(`project ${id} is running: stop it and kill its sessions?`, opts.yes);
      emit(globals(cmd).output, await client.projects.cancel(id), prettyProject);
    });

  queue
    .command('pause')
    .description('stop starting queued projects (running ones go on)')
    .action(async (_opts, cmd: Command) => emit(globals(cmd).output, await clientFor(cmd).queue.pause(), prettyQueue));

  queue
    .command('resume')
    .description('start queued projects again')
    .action(async (_opts, cmd: Command) => emit(globals(cmd).output, await clientFor(cmd).queue.resume(), prettyQueue));
}
