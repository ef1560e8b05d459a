import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { MaestroApiError, type MaestroClient } from '../client/index.js';
import {
  AGENT_KINDS,
  agentStateLabel,
  createTaskInput,
  endInput,
  finishInput,
  INPUT_KEYS,
  listSessionsQuery,
  listTasksQuery,
  type SessionSummary,
  spawnInput,
  waitInput,
} from '../domain/index.js';
import { pickShape } from './shapes.js';

/** What `spawn_session` starts when it is given an agent and no command: the agent's usual program. */
const PRESETS: Record<string, string[]> = {
  claude: ['claude'],
  codex: ['codex'],
  gemini: ['gemini'],
  aider: ['aider'],
  opencode: ['opencode'],
};

/** How a tool answers: a few readable lines for the model, and the data behind them. */
function answer(text: string, data: unknown): CallToolResult {
  return { content: [{ type: 'text', text }], structuredContent: { result: data } };
}

/** A refusal or failure of the API as the model should read it: the code and the server's message. */
function failure(err: unknown): CallToolResult {
  const text = err instanceof MaestroApiError ? `${err.code}: ${err.message}` : String(err);
  return { content: [{ type: 'text', text }], isError: true };
}

/** One line for a session: its name, what it is doing, and its id for the next call. */
export function sessionLine(s: SessionSummary): string {
  const state = agentStateLabel({ agentState: s.agentState, waitingFor: s.waitingReason ? { reason: s.waitingReason } : null });
  const ended = s.completedAt ? `, ended ${s.endReason}${s.exitCode !== undefined ? ` (exit ${s.exitCode})` : ''}` : '';
  return `${s.name ?? s.id} [${s.id}]: ${state}, ${s.status}${ended}`;
}

/** Runs `fn`, turning an API error into a tool error the model can read. */
const tool =
  <A>(fn: (args: A) => Promise<CallToolResult>) =>
  async (args: A): Promise<CallToolResult> => {
    try {
      return await fn(args);
    } catch (err) {
      return failure(err);
    }
  };

/**
 * The Model Context Protocol server an orchestrating agent drives Maestro with (docs/design.md
 * §MCP): every tool calls the HTTP API through `client`, so every call is checked as the HTTP
 * route is — with the agent's own token, its scope (scopes.ts). Input schemas are picked from the
 * routes' own zod schemas (`src/domain`). `parentSessionId` is the session this server runs for
 * (the caller becomes the parent of what it spawns).
 */
export function buildMcpServer(client: MaestroClient, options: { parentSessionId?: string; version: string }): McpServer {
  const server = new McpServer({ name: 'maestro', version: options.version });

  server.registerTool(
    'list_projects',
    { description: 'The projects: id, name, status, priority.', inputSchema: {} },
    tool(async () => {
      const projects = await client.projects.list();
      return answer(
        projects.map((p) => `${p.name} [${p.id}]: ${p.status}, priority ${p.priority}`).join('\n') || '(no projects)',
        projects.map(({ id, name, status, priority }) => ({ id, name, status, priority })),
      );
    }),
  );

  server.registerTool(
    'list_tasks',
    {
      description: 'Tasks, highest priority first: id, title, status, parent.',
      inputSchema: pickShape(listTasksQuery, ['projectId', 'status', 'name', 'parentId', 'limit']),
    },
    tool(async (args) => {
      const tasks = await client.tasks.list(args);
      return answer(
        tasks.map((t) => `${t.title} [${t.id}]: ${t.status}${t.parentId ? `, under ${t.parentId}` : ''}`).join('\n') ||
          '(no tasks)',
        tasks,
      );
    }),
  );

  server.registerTool(
    'create_task',
    {
      description: 'Create a task in a project (a subtask with parentId).',
      inputSchema: pickShape(createTaskInput, ['projectId', 'title', 'description', 'priority', 'parentId']),
    },
    tool(async (args) => {
      const task = await client.tasks.create(args);
      return answer(`created ${task.title} [${task.id}]`, task);
    }),
  );

  server.registerTool(
    'list_sessions',
    {
      description: 'Sessions, newest first: name, id, what the agent is doing (working, waiting: question, idle…), status.',
      inputSchema: pickShape(listSessionsQuery, [
        'projectId',
        'agentState',
        'active',
        'parentSessionId',
        'taskId',
        'limit',
        'cursor',
      ]),
    },
    tool(async (args) => {
      const page = await client.sessions.list(args);
      const more = page.nextCursor ? `\n(${page.total} in all; more with cursor ${page.nextCursor})` : '';
      return answer((page.sessions.map(sessionLine).join('\n') || '(no sessions)') + more, page);
    }),
  );

  server.registerTool(
    'get_session',
    {
      description: 'One session: what it is doing, the question it waits on with its numbered choices, its command and end.',
      inputSchema: { id: z.string().describe('the session id') },
    },
    tool(async ({ id }) => {
      const s = await client.sessions.get(id);
      const lines = [
        `${s.name} [${s.id}]: ${agentStateLabel(s)}, ${s.status}`,
        ...(s.waitingFor
          ? [`waiting for: ${s.waitingFor.message}`, ...(s.waitingFor.choices ?? []).map((c, i) => `  ${i + 1}. ${c}`)]
          : []),
        ...(s.launch ? [`command: ${s.launch.command.join(' ')}`] : []),
        ...(s.completedAt ? [`ended: ${s.endReason}${s.runtime.exitCode !== null ? ` (exit ${s.runtime.exitCode})` : ''}`] : []),
      ];
      const { output: _output, ...rest } = s;
      return answer(lines.join('\n'), rest);
    }),
  );

  server.registerTool(
    'spawn_session',
    {
      description:
        'Start an agent in a new tmux session of a project: give `command` (argument array), or just `agent` for its usual program. You become its parent.',
      inputSchema: {
        ...pickShape(spawnInput, ['projectId', 'name', 'taskIds', 'worktree', 'baseBranch', 'featureRequest']),
        command: z.array(z.string()).min(1).optional().describe('program and arguments; default: the agent’s own program'),
        agent: z.enum(AGENT_KINDS).optional(),
      },
    },
    tool(async ({ command, agent, ...rest }) => {
      const program = command ?? (agent ? PRESETS[agent] : undefined);
      if (!program) return failure(new Error('give command, or agent (claude, codex, gemini, aider, opencode)'));
      const s = await client.sessions.spawn({
        ...rest,
        command: program,
        ...(agent ? { agent } : {}),
        ...(options.parentSessionId ? { parentSessionId: options.parentSessionId } : {}),
      });
      return answer(`spawned ${s.name} [${s.id}] running ${program.join(' ')}`, { id: s.id, name: s.name });
    }),
  );

  server.registerTool(
    'send_input',
    {
      description: 'Type into a live session: text literally, then named keys, then Enter unless submit is false.',
      inputSchema: {
        id: z.string(),
        text: z.string().optional(),
        keys: z.array(z.enum(INPUT_KEYS)).optional(),
        submit: z.boolean().optional(),
      },
    },
    tool(async ({ id, ...input }) => {
      await client.sessions.sendInput(id, input);
      return answer(`sent to ${id}`, { id });
    }),
  );

  server.registerTool(
    'answer',
    {
      description: 'Answer a session waiting for its user: a numbered choice (1-based), or text (a choice’s label or free text).',
      inputSchema: { id: z.string(), choice: z.number().int().min(1).optional(), text: z.string().optional() },
    },
    tool(async ({ id, choice, text }) => {
      const result = await client.sessions.answer(id, choice !== undefined ? { choice } : { text: text ?? '' });
      return answer(`answered ${id}`, result);
    }),
  );

  server.registerTool(
    'read_output',
    {
      description: 'The last lines of a session’s terminal: live while it runs, kept once ended.',
      inputSchema: { id: z.string(), lines: z.number().int().min(1).max(1000).optional() },
    },
    tool(async ({ id, lines }) => {
      const out = await client.sessions.output(id, lines ?? 50);
      return answer(out.lines.join('\n') || '(nothing printed)', out);
    }),
  );

  server.registerTool(
    'read_transcript',
    {
      description: 'The tail of everything a session’s terminal printed (raw), at most `bytes` (default 8000).',
      inputSchema: { id: z.string(), bytes: z.number().int().min(1).max(200_000).optional() },
    },
    tool(async ({ id, bytes }) => {
      const text = await new Response(await client.sessions.log(id)).text();
      const tail = text.slice(-(bytes ?? 8000));
      return answer(tail || '(empty)', { id, bytes: tail.length });
    }),
  );

  server.registerTool(
    'get_diff',
    {
      description: 'What a session changed since it started: a line per file with counts, then the hunks (stat: counts only).',
      inputSchema: { id: z.string(), stat: z.boolean().optional() },
    },
    tool(async ({ id, stat }) => {
      const d = await client.sessions.diff(id, { stat: stat ?? false });
      const files = d.files.map((f) => `${f.status} ${f.path} +${f.insertions} -${f.deletions}`);
      const hunks = d.files.filter((f) => f.hunks).map((f) => `--- ${f.path}\n${f.hunks}`);
      return answer(
        [...files, `${d.totals.files} files, +${d.totals.insertions} -${d.totals.deletions}`, ...hunks].join('\n'),
        d,
      );
    }),
  );

  server.registerTool(
    'finish_session',
    {
      description: 'Bring a worktree session’s work back: merge its branch, keep the branch, or discard both.',
      inputSchema: { id: z.string(), ...pickShape(finishInput, ['action', 'message']) },
    },
    tool(async ({ id, ...input }) => {
      const done = await client.sessions.finish(id, input);
      return answer(`${done.action}: ${done.branch}${done.into ? ` into ${done.into}` : ''}`, done);
    }),
  );

  server.registerTool(
    'end_session',
    {
      description: 'End a session (kills its tmux session, keeps its output): reason completed when its work is done.',
      inputSchema: { id: z.string(), ...pickShape(endInput, ['reason', 'note']) },
    },
    tool(async ({ id, ...input }) => {
      const s = await client.sessions.end(id, input);
      return answer(`ended ${s.name} [${s.id}]: ${s.endReason}`, { id: s.id, endReason: s.endReason });
    }),
  );

  server.registerTool(
    'delete_session',
    {
      description:
        'Delete a session with everything about it (its tmux session killed). An orchestrator may delete only the sessions it spawned.',
      inputSchema: { id: z.string() },
    },
    tool(async ({ id }) => {
      await client.sessions.delete(id);
      return answer(`deleted ${id}`, { id });
    }),
  );

  server.registerTool(
    'wait',
    {
      description:
        'Wait until one of the sessions is waiting for input, idle or ended (or changes at all, with any); returns as soon as one does, or matched: false after timeoutSecs (≤ 50; call again to wait longer).',
      inputSchema: pickShape(waitInput, ['ids', 'states', 'timeoutSecs']),
    },
    tool(async ({ ids, states, timeoutSecs }) => {
      const result = await client.sessions.wait(ids, states, timeoutSecs ?? 30);
      return answer(
        result.matched && result.session
          ? `${result.state}: ${sessionLine(result.session)}`
          : result.matched
            ? `${result.state}: ${result.sessionId}`
            : 'timed out: nothing matched yet',
        result,
      );
    }),
  );

  return server;
}
