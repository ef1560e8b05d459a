import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { MaestroApiError } from '../client/index.js';
import { completionCommands } from './completion-commands.js';
import { eventCommands } from './event-commands.js';
import { hookCommands } from './hook-commands.js';
import { maintenanceCommands } from './maintenance-commands.js';
import { mcpCommand } from './mcp-command.js';
import { projectCommands } from './project-commands.js';
import { queueCommands } from './queue-commands.js';
import { resolveReferences } from './resolve.js';
import { schemaCommands } from './schema-commands.js';
import { serveCommand } from './serve.js';
import { sessionCommands } from './session-commands.js';
import { taskCommands } from './task-commands.js';

/** The version in package.json (found beside `src/` and beside the `dist/cli` bundle alike). */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

/** Builds the `maestro` program. */
export function buildProgram(): Command {
  const program = new Command('maestro')
    .description(
      'Session lifecycle server for AI coding agents: projects → tasks → sessions, run in tmux (maestro --version: its version)',
    )
    .option('--url <url>', 'Maestro server URL (env MAESTRO_URL)', process.env.MAESTRO_URL ?? 'http://127.0.0.1:7420')
    .option(
      '--token <secret>',
      'token sent to the server; `serve` requires every request to carry it, and requires one off loopback (env MAESTRO_TOKEN)',
      process.env.MAESTRO_TOKEN || undefined,
    )
    .addOption(new Option('-o, --output <format>', 'output format').choices(['pretty', 'json']).default('pretty'))
    .showHelpAfterError()
    // Names and short ids become ids before any action runs.
    .hook('preAction', (_program, action) => resolveReferences(action))
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
  mcpCommand(program);
  // Last: its scripts are read from every command above.
  completionCommands(program);
  return program;
}

/** The CLI's word for an API field: the flag that sets it, where one does. */
const FLAG_OF: Record<string, string> = {
  projectId: '--project',
  taskId: '--task',
  taskIds: '--task',
  name: '--name',
  cwd: '--cwd',
  env: '--env',
  repoPath: '--repo',
  title: '--title',
  description: '--description',
  featureRequest: '--feature-request',
  priority: '--priority',
  id: '--id',
  exitCode: '--exit-code',
  reason: '--reason',
  message: '--message',
  messages: '--messages',
  lines: '--lines',
  limit: '--limit',
  since: '--since',
  version: '--version',
  branch: '--branch',
  parentId: '--parent',
  parentSessionId: '--parent',
  role: '--role',
  note: '--note',
  mergeStrategy: '--merge-strategy',
  autoTaskStatus: '--auto-task-status',
  fastForward: '--ff',
  command: 'the command (after --)',
  keys: '--key',
  choice: 'the choice',
  text: 'the text',
  agentCommand: 'the agent command (after --)',
};

/**
 * A failing field as the user typed it: `body.projectId` → `--project`, `body.env.A B` →
 * `--env A B`; a field no flag sets keeps its path without the `body.`/`query.`/`params.` part.
 */
export function flagOf(path: string): string {
  const [where, field, ...rest] = path.split('.');
  if (field === undefined || !['body', 'query', 'params'].includes(where as string)) return path;
  const flag = FLAG_OF[field];
  if (!flag) return [field, ...rest].join('.');
  return field === 'env' && rest.length > 0 ? `${flag} ${rest.join('.')}` : flag;
}

/** Explains a failure in one or a few lines on stderr; each failing field once, named by its flag. */
export function describeError(err: unknown, url: string): string {
  if (err instanceof MaestroApiError) {
    const issues = (err.details.issues as { path: string; message: string }[] | undefined) ?? [];
    if (issues.length === 1) return `error: ${flagOf((issues[0] as { path: string }).path)}: ${issues[0]?.message}`;
    if (issues.length > 1)
      return [`error: ${issues.length} invalid values`, ...issues.map((i) => `  ${flagOf(i.path)}: ${i.message}`)].join('\n');
    return `error (${err.status} ${err.code}): ${err.message}`;
  }
  const cause = (err as { cause?: { code?: string } } | null)?.cause;
  if (cause?.code === 'ECONNREFUSED') return `error: cannot reach Maestro at ${url}; is \`maestro serve\` running?`;
  const listen = err as { code?: string; address?: string; port?: number } | null;
  if (listen?.code === 'EADDRINUSE')
    return `error: ${listen.address}:${listen.port} is already in use (another maestro serve?); choose another port with --port or MAESTRO_PORT`;
  return `error: ${err instanceof Error ? err.message : String(err)}`;
}
