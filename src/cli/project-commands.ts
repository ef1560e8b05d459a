import { resolve } from 'node:path';
import type { Command } from 'commander';
import { clientFor, globals } from './context.js';
import { emit, prettyProject, prettyProjects } from './output.js';

/** `maestro project …` */
export function projectCommands(program: Command): void {
  const project = program.command('project').description('create and list projects');

  project
    .command('create')
    .description('create a project for a repository')
    .requiredOption('-n, --name <name>', 'project name')
    .option('-r, --repo <dir>', 'repository directory (default: the current directory)', '.')
    .option('--priority <n>', 'queue priority, higher first (default 0)', (v) => Number(v))
    .option('--id <id>', 'client-given id (proj_…)')
    .action(async (opts, cmd: Command) => {
      const created = await clientFor(cmd).projects.create({
        name: opts.name,
        repoPath: resolve(opts.repo),
        priority: opts.priority,
        id: opts.id,
      });
      emit(globals(cmd).output, created, prettyProject);
    });

  project
    .command('list')
    .description('list projects, highest priority first')
    .action(async (_opts, cmd: Command) => emit(globals(cmd).output, await clientFor(cmd).projects.list(), prettyProjects));
}
