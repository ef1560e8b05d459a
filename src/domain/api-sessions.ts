import { z } from 'zod';
import { answerInput, promptSchema } from './agent.js';
import { EVENT_DATA } from './event.js';
import { hookParams } from './hooks.js';
import { route } from './route-spec.js';
import {
  createSessionInput,
  endInput,
  finishInput,
  importSessionInput,
  listSessionsQuery,
  needsInputInput,
  sessionInputBody,
  sessionSchema,
  spawnInput,
  touchInput,
  transitionInput,
  updateSessionInput,
  waitInput,
} from './session.js';
import { waitResultSchema } from './session-summary.js';
import {
  diffQuery,
  idParams,
  linkParams,
  logQuery,
  noContent,
  outputQuery,
  sessionDiffSchema,
  sessionListSchema,
  sessionOutputSchema,
  terminalQuery,
} from './wire.js';

/** The `/api/sessions` routes of `API` (src/domain/api.ts). */
export function sessionRoutes() {
  const tag = 'sessions';
  return {
    'POST /api/sessions': route({
      name: 'createSession',
      summary: 'Create a session record',
      tag,
      body: createSessionInput,
      status: 201,
      response: sessionSchema,
    }),
    'POST /api/sessions/spawn': route({
      name: 'spawnSession',
      summary: 'Start a command in tmux as a session',
      tag,
      body: spawnInput,
      status: 201,
      response: sessionSchema,
    }),
    'POST /api/sessions/wait': route({
      name: 'waitForSessions',
      summary:
        'Wait until one of the sessions is waiting, idle, ended or changed (as asked), from the event stream; at most timeoutSecs (≤ 50), then matched: false',
      tag,
      body: waitInput,
      status: 200,
      response: waitResultSchema,
    }),
    'POST /api/sessions/import': route({
      name: 'importSession',
      summary: 'Import exported session metadata (what GET /api/sessions/{id} answers)',
      tag,
      body: importSessionInput,
      status: 201,
      response: sessionSchema,
    }),
    'GET /api/sessions': route({
      name: 'listSessions',
      summary: 'List sessions with the event sequence',
      tag,
      query: listSessionsQuery,
      status: 200,
      response: sessionListSchema,
    }),
    'GET /api/sessions/:id': route({
      name: 'getSession',
      summary: 'Get a session',
      tag,
      params: idParams,
      status: 200,
      response: sessionSchema,
    }),
    'PATCH /api/sessions/:id': route({
      name: 'updateSession',
      summary: 'Update a session (nested objects merged)',
      tag,
      params: idParams,
      body: updateSessionInput,
      status: 200,
      response: sessionSchema,
    }),
    'DELETE /api/sessions/:id': route({
      name: 'deleteSession',
      summary: 'Delete a session with the full cascade',
      tag,
      params: idParams,
      status: 204,
      response: noContent,
    }),
    'POST /api/sessions/:id/transition': route({
      name: 'transition',
      summary: 'Move along the state machine',
      tag,
      params: idParams,
      body: transitionInput,
      status: 200,
      response: sessionSchema,
    }),
    'POST /api/sessions/:id/end': route({
      name: 'endSession',
      summary: 'End a session',
      tag,
      params: idParams,
      body: endInput.prefault({}),
      status: 200,
      response: sessionSchema,
    }),
    'POST /api/sessions/:id/touch': route({
      name: 'touch',
      summary: 'Record activity',
      tag,
      params: idParams,
      body: touchInput.prefault({}),
      status: 200,
      response: sessionSchema,
    }),
    'POST /api/sessions/:id/needs-input': route({
      name: 'needsInput',
      summary: 'The agent waits for its user',
      tag,
      params: idParams,
      body: needsInputInput,
      status: 200,
      response: sessionSchema,
    }),
    'POST /api/hooks/:agent': route({
      name: 'hookReport',
      summary:
        "An agent's hook report, its own payload unchanged (Claude Code's http hooks, Gemini CLI's hooks, Codex's notify, aider's notifications command); the session is named in the X-Maestro-Session header",
      tag,
      params: hookParams,
      body: z.unknown(),
      status: 204,
      response: z.undefined(),
    }),
    'POST /api/sessions/:id/restart': route({
      name: 'restartSession',
      summary:
        'Start an ended session again (same command, directory and tasks) as a new session; Claude Code resumes its conversation',
      tag,
      params: idParams,
      status: 201,
      response: sessionSchema,
    }),
    'GET /api/sessions/:id/prompt': route({
      name: 'prompt',
      summary:
        "What a live session's screen asks now (read by its agent's detector): working, waiting with the question and choices, idle or unknown",
      tag,
      params: idParams,
      status: 200,
      response: promptSchema,
    }),
    'POST /api/sessions/:id/answer': route({
      name: 'answer',
      summary: 'Answer a waiting agent: a choice by number or label (the keys its prompt expects), or free text',
      tag,
      params: idParams,
      body: answerInput,
      status: 200,
      response: sessionSchema,
    }),
    'POST /api/sessions/:id/input': route({
      name: 'sendInput',
      summary: 'Type into a live session: text literally, then named keys, then Enter unless submit is false',
      tag,
      params: idParams,
      body: sessionInputBody,
      status: 200,
      response: sessionSchema,
    }),
    'POST /api/sessions/:id/input-given': route({
      name: 'inputGiven',
      summary: 'The user answered',
      tag,
      params: idParams,
      status: 200,
      response: sessionSchema,
    }),
    'GET /api/sessions/:id/output': route({
      name: 'output',
      summary: 'Last lines of output: live from tmux while it runs, else those kept when it ended',
      tag,
      params: idParams,
      query: outputQuery,
      status: 200,
      response: sessionOutputSchema,
    }),
    'GET /api/sessions/:id/log': route({
      name: 'sessionLog',
      summary:
        "The session's transcript: everything its terminal printed, raw (escape sequences included; bounded by MAESTRO_LOG_MAX_BYTES); with follow=true, then what it prints until it ends",
      tag,
      params: idParams,
      query: logQuery,
      status: 200,
      response: z.string(),
      produces: 'text/plain',
    }),
    'GET /api/sessions/:id/diff': route({
      name: 'sessionDiff',
      summary:
        "What the session changed since the commit it started from: its worktree's branch, or its directory, with uncommitted and untracked changes; per file, status, counts and unified hunks (limits in the README)",
      tag,
      params: idParams,
      query: diffQuery,
      status: 200,
      response: sessionDiffSchema,
    }),
    'POST /api/sessions/:id/finish': route({
      name: 'finishSession',
      summary:
        "Finish a session's worktree: merge its branch into the main checkout (409 naming the files on a conflict or a dirty checkout, changing nothing), keep the branch, or discard both; a live session is ended first",
      tag,
      params: idParams,
      body: finishInput,
      status: 200,
      response: EVENT_DATA['session:finished'],
    }),
    'GET /api/sessions/:id/terminal': route({
      name: 'sessionTerminal',
      summary:
        'WebSocket: a live terminal of the session (tmux attach in a PTY): binary frames carry what to draw (the screen with colours on connect, then every change); ' +
        'send text frames {type: "input", data} (keys as the terminal encodes them) and {type: "resize", cols, rows}. ' +
        '?readOnly=1 watches only. Closes with 1000 when the session ends. A plain GET answers 426.',
      tag,
      params: idParams,
      query: terminalQuery,
      status: 200,
      response: z.string(),
    }),
    'POST /api/sessions/:id/tasks/:taskId': route({
      name: 'linkTask',
      summary: 'Link a task',
      tag,
      params: linkParams,
      status: 200,
      response: sessionSchema,
    }),
    'DELETE /api/sessions/:id/tasks/:taskId': route({
      name: 'unlinkTask',
      summary: 'Unlink a task',
      tag,
      params: linkParams,
      status: 200,
      response: sessionSchema,
    }),
  };
}
