import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { Command } from 'commander';
import { buildMcpServer } from '../mcp/tools.js';
import { clientFor } from './context.js';
import { packageVersion } from './program.js';

/**
 * `maestro mcp`: the Model Context Protocol server over stdio, for an agent to drive Maestro with
 * (docs/design.md §MCP). It speaks to the server at `--url` (`MAESTRO_URL`) with `--token`
 * (`MAESTRO_TOKEN`: inside a session spawned by Maestro, that session's own token, so the server
 * checks every call against its role); what it spawns names the session it runs in
 * (`MAESTRO_SESSION_ID`) as parent. Only the protocol goes to stdout.
 */
export function mcpCommand(program: Command): void {
  program
    .command('mcp')
    .description(
      'serve the Model Context Protocol on stdin/stdout, for an orchestrating agent (claude mcp add maestro -- maestro mcp; maestro hooks install claude --orchestrator does it for you)',
    )
    .action(async (_opts, cmd: Command) => {
      const parent = process.env.MAESTRO_SESSION_ID || undefined;
      const server = buildMcpServer(clientFor(cmd), {
        version: packageVersion(),
        ...(parent ? { parentSessionId: parent } : {}),
      });
      await server.connect(new StdioServerTransport());
      // Served until stdin closes (the agent went away).
      await new Promise<void>((resolve) => process.stdin.once('close', resolve));
      await server.close();
    });
}
