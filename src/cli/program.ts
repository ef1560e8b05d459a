import { Command, Option } from 'commander';
import { MaestroApiError } from '../client/index.js';
import { eventCommands } from './event-commands.js';
import { hookCommands } from './hook-commands.js';
import { maintenanceCommands } from './maintenance-commands.js';
import { projectCommands } from './project-commands.js';
import { queueCommands } from './queue-commands.js';
import { schemaCommands } from './schema-commands.js';
import { serveCommand } from './serve.js';
import { sessionCommands } from './session-commands.js';
import { taskCommands } from './task-commands.js';

/** Builds the `maestro` program. */
export function buildProgram(): Command {
  const program = new Command('maestro')
    .description('Session lifecycle server for AI coding agents: projects → tasks → sessions, run in tmux')
    .option('--url <url>', 'Maestro server URL (env MAESTRO_URL)', process.env.MAESTRO_URL ?? 'http://127.0.0.1:7420')
    .option(
      '--token <secret>',
      'token sent to the server; `serve` requires every request to carry it, and requires one off loopback (env MAESTRO_TOKEN)',
      process.env.MAESTRO_TOKEN || undefined,
    )
    .addOption(new Option('-o, --output <format>', 'output format').choices(['pretty', 'json']).default('pretty'))
    .showHelpAfterError()
    .configureHelp({ sortSubcommands: true });
  serveCommand(program);
  sessionCommands(program);
  taskCommands(program);
  projectCommands(program);
  maintenanceCommands(program);
  eventCommands(program);
  queueCommands(program);
  hookCommands(program);
  schemaCommands(program);
  return program;
}

/** Explains a failure in one or a few lines on stderr. */
export function describeError(err: unknown, url: string): string {
  if (err instanceof MaestroApiError) {
    const issues = (err.details.issues as { path: string; message: string }[] | undefined) ?? [];
    return [`error (${err.status} ${err.code}): ${err.message}`, ...issues.map((i) => `  ${i.path}: ${i.message}`)].join('\n');
  }
  const cause = (err as { cause?: { code?: string } } | null)?.cause;
  if (cause?.code === 'ECONNREFUSED') return `error: cannot reach Maestro at ${url}; is \`maestro serve\` running?`;
  const listen = err as { code?: string; address?: string; port?: number } | null;
  if (listen?.code === 'EADDRINUSE')
    return `error: ${listen.address}:${listen.port} is already in use (another maestro serve?); choose another port with --port or MAESTRO_PORT`;
  return `error: ${err instanceof Error ? err.message : String(err)}`;
}
