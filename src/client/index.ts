import type {
  API,
  ApiRouteKey,
  EventFilter,
  Health,
  SessionFullList,
  SessionSummaryList,
  Task,
  TaskSummary,
  TypedEvent,
  WaitResult,
} from '../domain/index.js';
import { MAX_WAIT_SECS } from '../domain/limits.js';
import {
  callRoute,
  type RouteBody,
  type RouteInput,
  type RouteOutput,
  type RouteQuery,
  sendRoute,
  type Transport,
} from './http.js';

// The client imports the domain only (never core): the routes it calls, their schemas and the wire
// types are all declared there (src/domain/api.ts, src/domain/wire.ts), so the dashboard, which
// imports this module only, gets the same types and the transition table from here. The schemas
// are imported as types only: routes are called by key, and the dashboard bundles no zod.
export type * from '../domain/index.js';
export { SESSION_TRANSITIONS } from '../domain/session-state.js';
export { agentStateLabel, sessionStatusLabel } from '../domain/status-label.js';
export { sessionSummary } from '../domain/summaries.js';
export { applyToSummaries } from '../domain/summary-events.js';
export { MaestroApiError } from './errors.js';
export type { RouteBody, RouteInput, RouteOutput, RouteQuery } from './http.js';

/** Options of {@link MaestroClient}. */
export interface ClientOptions {
  /** The server's base URL, e.g. `http://127.0.0.1:7420`. */
  baseUrl: string;
  /** The server's `MAESTRO_TOKEN`, sent as `Authorization: Bearer` (and `?token=` on WebSockets); omit when it has none. */
  token?: string;
  /** A fetch implementation; default `globalThis.fetch`. */
  fetch?: typeof fetch;
  /** A WebSocket constructor for {@link MaestroClient.watch}; default `globalThis.WebSocket` (pass `ws` on Node 20). */
  WebSocket?: WebSocketConstructor;
}

/** The part of the WebSocket API the client uses (browsers' and `ws`'s both fit). */
export interface WebSocketLike {
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  close(code?: number, reason?: string): void;
}
export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** Callbacks of {@link MaestroClient.watch}. */
export interface WatchHandlers {
  /** Each event, its `data` typed by its `type` (narrow with `switch (event.type)`). */
  onEvent(event: TypedEvent): void;
  /** Caught up with the log at `seq`; live events follow. */
  onReady?(seq: number): void;
  /** The cursor is too old (or ahead of the server): reload a snapshot and watch again. */
  onResync?(info: Record<string, unknown>): void;
  /** The connection closed (for any reason other than {@link WatchHandle.close}). */
  onClose?(info: { code: number; reason: string }): void;
}

/** A running watch. */
export interface WatchHandle {
  close(): void;
}

export type StreamStatus = 'connecting' | 'live' | 'reconnecting' | 'stopped';

/**
 * Options of {@link MaestroClient.stream}. `sessionId`, `projectId` and `types` (event types or
 * `prefix:*` globs) make the server send only the matching events (a page about one session
 * listens to that session only); a sweep's batch then holds only the matching entries.
 */
export interface StreamOptions extends EventFilter {
  /** Deliver events after this sequence; absent: from now on. */
  since?: number;
  /** Each event, its `data` typed by its `type` (narrow with `switch (event.type)`). */
  onEvent(event: TypedEvent): void;
  /** Reload your snapshot and return its sequence; called when the server cannot serve the cursor. */
  onResync?(): Promise<number> | number;
  onStatus?(status: StreamStatus): void;
  /** Reconnect delays in milliseconds; the last repeats. Default 250, 500, 1000, 2000, 5000. */
  backoffMs?: number[];
}

/** A running {@link MaestroClient.stream}. */
export interface StreamHandle {
  /** The last sequence delivered (or the cursor it resumes from). */
  readonly seq: number | undefined;
  /** Drops the connection and reconnects (from `since` when given), as after a network cut. */
  reconnect(since?: number): void;
  close(): void;
}

/** What a cleanup did, or in a dry run would do. `durationMs` in milliseconds. */
export type CleanupReport = RouteOutput<(typeof API)['POST /api/maintenance/cleanup']>;

/** Filters of {@link MaestroClient.sessions}`.list`; timestamps are ISO-8601. */
export type SessionQuery = RouteQuery<(typeof API)['GET /api/sessions']>;

/** Filters of {@link MaestroClient.projects}`.list`. */
export type ProjectQuery = RouteQuery<(typeof API)['GET /api/projects']>;

/** Filters of {@link MaestroClient.tasks}`.list`. */
export type TaskQuery = RouteQuery<(typeof API)['GET /api/tasks']>;

/**
 * The typed Maestro API client, used by the CLI, the dashboard and integrations.
 * Every method throws {@link MaestroApiError} when the server answers with an error.
 */
export class MaestroClient {
  private readonly baseUrl: string;
  private readonly transport: Transport;

  constructor(private readonly options: ClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.transport = {
      baseUrl: this.baseUrl,
      fetch: options.fetch ?? globalThis.fetch.bind(globalThis),
      headers: () => this.authHeader(),
    };
  }

  /**
   * Calls the route declared in the domain's `API` under `key` (`METHOD /path`) with `input`; every
   * method below is one such call.
   * @throws MaestroApiError when the server answers with an error
   */
  call<K extends ApiRouteKey>(key: K, input: RouteInput<(typeof API)[K]>): Promise<RouteOutput<(typeof API)[K]>> {
    return callRoute(this.transport, key, input);
  }

  readonly projects = {
    create: (input: Body<'POST /api/projects'>) => this.call('POST /api/projects', { body: input }),
    list: async (query: ProjectQuery = {}) => (await this.call('GET /api/projects', { query })).projects,
    get: (id: string) => this.call('GET /api/projects/:id', { params: { id } }),
    /** Edits a project's name, description, repository, priority, agent command or settings. */
    update: (id: string, input: Body<'PATCH /api/projects/:id'>) =>
      this.call('PATCH /api/projects/:id', { params: { id }, body: input }),
    /** The local branches of its repository a worktree session may start from, and the one checked out. */
    branches: (id: string) => this.call('GET /api/projects/:id/branches', { params: { id } }),
    /** Puts a project in the queue (again), optionally with a new priority. */
    enqueue: (id: string, input: Body<'POST /api/projects/:id/enqueue'> = {}) =>
      this.call('POST /api/projects/:id/enqueue', { params: { id }, body: input }),
    /** Completes (or with `success: false`, fails) a project, ending its sessions. Idempotent. */
    complete: (id: string, input: Body<'POST /api/projects/:id/complete'> = {}) =>
      this.call('POST /api/projects/:id/complete', { params: { id }, body: input }),
    /** Cancels a project: out of the queue, or stopped with its sessions. Idempotent. */
    cancel: (id: string) => this.call('POST /api/projects/:id/cancel', { params: { id } }),
    /** Deletes a project with its sessions (full cascade, tmux sessions killed) and tasks; answers how many went. */
    delete: (id: string) => this.call('DELETE /api/projects/:id', { params: { id } }),
  };

  readonly queue = {
    list: () => this.call('GET /api/queue', {}),
    pause: () => this.call('POST /api/queue/pause', {}),
    resume: () => this.call('POST /api/queue/resume', {}),
  };

  readonly tasks = {
    create: (input: Body<'POST /api/tasks'>) => this.call('POST /api/tasks', { body: input }),
    /** Task summaries (without description and timeline), highest priority first. */
    list: async (query: Omit<TaskQuery, 'view'> = {}) =>
      (await this.call('GET /api/tasks', { query: { ...query, view: 'summary' } })).tasks as TaskSummary[],
    /** Whole tasks, with their description and timeline. */
    listFull: async (query: Omit<TaskQuery, 'view'> = {}) =>
      (await this.call('GET /api/tasks', { query: { ...query, view: 'full' } })).tasks as Task[],
    get: (id: string) => this.call('GET /api/tasks/:id', { params: { id } }),
    timeline: async (id: string) => (await this.call('GET /api/tasks/:id/timeline', { params: { id } })).timeline,
    /** The direct subtasks of a task. */
    children: async (id: string) => (await this.call('GET /api/tasks/:id/children', { params: { id } })).tasks,
    /** Adds a person's note to a task's timeline. */
    note: (id: string, message: string) => this.call('POST /api/tasks/:id/timeline', { params: { id }, body: { message } }),
    update: (id: string, input: Body<'PATCH /api/tasks/:id'>) =>
      this.call('PATCH /api/tasks/:id', { params: { id }, body: input }),
    delete: (id: string) => this.call('DELETE /api/tasks/:id', { params: { id } }),
  };

  private async *summaryPages(query: Omit<SessionQuery, 'view' | 'include' | 'cursor'>): AsyncGenerator<SessionSummaryList> {
    let cursor: string | undefined;
    do {
      const page = (await this.call('GET /api/sessions', {
        query: { ...query, view: 'summary', ...(cursor ? { cursor } : {}) },
      })) as SessionSummaryList;
      yield page;
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }

  readonly sessions = {
    create: (input: Body<'POST /api/sessions'>) => this.call('POST /api/sessions', { body: input }),
    spawn: (input: Body<'POST /api/sessions/spawn'>) => this.call('POST /api/sessions/spawn', { body: input }),
    /** Imports exported session metadata (what `get` returns) as a session record. */
    import: (metadata: Body<'POST /api/sessions/import'>) => this.call('POST /api/sessions/import', { body: metadata }),
    /** A page of session summaries (the fields a list shows), with `total`, `seq` and `nextCursor`. */
    list: async (query: Omit<SessionQuery, 'view' | 'include'> = {}) =>
      (await this.call('GET /api/sessions', { query: { ...query, view: 'summary' } })) as SessionSummaryList,
    /** A page of full sessions (without their kept output unless `include: 'output'`), with `total`, `seq` and `nextCursor`. */
    listFull: async (query: Omit<SessionQuery, 'view'> = {}) =>
      (await this.call('GET /api/sessions', { query: { ...query, view: 'full' } })) as SessionFullList,
    /**
     * Every summary matching `query`, page after page (`limit` per page, default 100): each page
     * as it comes, with the total it was counted against.
     */
    pages: (query: Omit<SessionQuery, 'view' | 'include' | 'cursor'> = {}): AsyncGenerator<SessionSummaryList> =>
      this.summaryPages(query),
    get: (id: string) => this.call('GET /api/sessions/:id', { params: { id } }),
    /**
     * Waits until one of `ids` is in one of `states` (or ended, or deleted), asking again every
     * 50 s (the longest one request holds) until `timeoutSecs` have passed; `matched: false` then.
     */
    wait: async (
      ids: string[],
      states: Body<'POST /api/sessions/wait'>['states'] = ['any'],
      timeoutSecs = 30,
    ): Promise<WaitResult> => {
      const until = Date.now() + timeoutSecs * 1000;
      for (;;) {
        const left = Math.max(0, (until - Date.now()) / 1000);
        const answer = await this.call('POST /api/sessions/wait', {
          body: { ids, states, timeoutSecs: Math.min(left, MAX_WAIT_SECS) },
        });
        if (answer.matched || left <= MAX_WAIT_SECS) return answer;
      }
    },
    update: (id: string, input: Body<'PATCH /api/sessions/:id'>) =>
      this.call('PATCH /api/sessions/:id', { params: { id }, body: input }),
    transition: (id: string, input: Body<'POST /api/sessions/:id/transition'>) =>
      this.call('POST /api/sessions/:id/transition', { params: { id }, body: input }),
    end: (id: string, input: Body<'POST /api/sessions/:id/end'> = {}) =>
      this.call('POST /api/sessions/:id/end', { params: { id }, body: input }),
    /**
     * The session's transcript (everything its terminal printed, raw), as a byte stream; with
     * `follow`, it goes on until the session ends. Cancel the stream to stop following.
     */
    log: async (id: string, options: { follow?: boolean } = {}) => {
      const response = await sendRoute(this.transport, 'GET /api/sessions/:id/log', {
        params: { id },
        query: { follow: options.follow ?? false },
      });
      return response.body ?? new ReadableStream<Uint8Array>();
    },
    /** Merges, keeps or discards the session's worktree (ending it first when live). */
    finish: (id: string, input: Body<'POST /api/sessions/:id/finish'>) =>
      this.call('POST /api/sessions/:id/finish', { params: { id }, body: input }),
    /** What the session changed since the commit it started from, per file (`stat`: counts only). */
    diff: (id: string, query: { stat?: boolean; context?: number } = {}) =>
      this.call('GET /api/sessions/:id/diff', { params: { id }, query }),
    /** Marks the session as waiting for its user. */
    needsInput: (id: string, input: Body<'POST /api/sessions/:id/needs-input'>) =>
      this.call('POST /api/sessions/:id/needs-input', { params: { id }, body: input }),
    /** Clears the session's wait for input. */
    inputGiven: (id: string) => this.call('POST /api/sessions/:id/input-given', { params: { id } }),
    /** The last `lines` output lines: live from tmux while it runs, else those kept when it ended. */
    output: (id: string, lines?: number) => this.call('GET /api/sessions/:id/output', { params: { id }, query: { lines } }),
    /** Starts an ended session again as a new one (same command, directory, tasks; Claude Code resumes). */
    restart: (id: string) => this.call('POST /api/sessions/:id/restart', { params: { id } }),
    /** What a live session's screen asks now: working, waiting (question and choices), idle or unknown. */
    prompt: (id: string) => this.call('GET /api/sessions/:id/prompt', { params: { id } }),
    /** Answers a waiting agent: `{choice}` (1-based) or `{text}` (a choice's label, or free text). */
    answer: (id: string, input: Body<'POST /api/sessions/:id/answer'>) =>
      this.call('POST /api/sessions/:id/answer', { params: { id }, body: input }),
    /** Types into a live session: `text` literally, then `keys`, then Enter unless `submit: false`. */
    sendInput: (id: string, input: Body<'POST /api/sessions/:id/input'>) =>
      this.call('POST /api/sessions/:id/input', { params: { id }, body: input }),
    touch: (id: string, input: Body<'POST /api/sessions/:id/touch'> = {}) =>
      this.call('POST /api/sessions/:id/touch', { params: { id }, body: input }),
    linkTask: (id: string, taskId: string) => this.call('POST /api/sessions/:id/tasks/:taskId', { params: { id, taskId } }),
    unlinkTask: (id: string, taskId: string) => this.call('DELETE /api/sessions/:id/tasks/:taskId', { params: { id, taskId } }),
    delete: (id: string) => this.call('DELETE /api/sessions/:id', { params: { id } }),
  };

  /** Server health and session metrics. */
  health(): Promise<Health> {
    return this.call('GET /api/health', {});
  }

  /** The OpenAPI 3.1 document of the API. */
  openApi(): Promise<Record<string, unknown>> {
    return this.call('GET /api/openapi.json', {});
  }

  /** The Prometheus metrics, as text. */
  metrics(): Promise<string> {
    return this.call('GET /metrics', {});
  }

  /** Tokens and estimated cost of the stored sessions: in total, per project, per model. */
  usage() {
    return this.call('GET /api/usage', {});
  }

  readonly maintenance = {
    /** Runs a sweep now: times out idle sessions, purges expired ones (at most `limit`). */
    cleanup: (input: Body<'POST /api/maintenance/cleanup'> = {}) => this.call('POST /api/maintenance/cleanup', { body: input }),
  };

  /**
   * The WebSocket address of a session's live terminal (`GET /api/sessions/:id/terminal`), with its
   * first size in character cells and the token: binary messages are what to draw; send
   * `{type: "input", data}` and `{type: "resize", cols, rows}` as text.
   */
  terminalUrl(id: string, options: { cols: number; rows: number; readOnly?: boolean }): string {
    const url = new URL(`${this.baseUrl.replace(/^http/, 'ws')}/api/sessions/${encodeURIComponent(id)}/terminal`);
    url.searchParams.set('cols', String(options.cols));
    url.searchParams.set('rows', String(options.rows));
    if (options.readOnly) url.searchParams.set('readOnly', 'true');
    if (this.options.token) url.searchParams.set('token', this.options.token);
    return url.toString();
  }

  /**
   * Watches the event stream from `since` (every later event, in order), or from now when absent;
   * with `filter`, only the events it matches (see {@link StreamOptions}).
   * @throws Error when no WebSocket implementation is available
   */
  watch(since: number | undefined, handlers: WatchHandlers, filter: EventFilter = {}): WatchHandle {
    const WS = this.options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (!WS) throw new Error('no WebSocket implementation: pass options.WebSocket (e.g. the ws package) on Node 20');
    const url = new URL(`${this.baseUrl.replace(/^http/, 'ws')}/api/events`);
    if (since !== undefined) url.searchParams.set('since', String(since));
    if (filter.sessionId !== undefined) url.searchParams.set('sessionId', filter.sessionId);
    if (filter.projectId !== undefined) url.searchParams.set('projectId', filter.projectId);
    if (filter.types !== undefined) url.searchParams.set('types', filter.types.join(','));
    if (this.options.token) url.searchParams.set('token', this.options.token);
    const socket = new WS(url.toString());
    let closedByUser = false;
    socket.onmessage = (ev) => {
      const message = JSON.parse(String(ev.data)) as { type: string } & Record<string, unknown>;
      if (message.type === 'ready') handlers.onReady?.(message.seq as number);
      else if (message.type === 'resync') handlers.onResync?.(message);
      else handlers.onEvent(message as unknown as TypedEvent);
    };
    socket.onerror = () => undefined;
    socket.onclose = (ev) => {
      if (!closedByUser) handlers.onClose?.({ code: ev.code, reason: ev.reason });
    };
    return {
      close() {
        closedByUser = true;
        socket.close();
      },
    };
  }

  /**
   * A resilient event stream: every event after `since`, in order and each once, across dropped
   * connections and server restarts (it reconnects from its last sequence with backoff). When the
   * server answers `resync` (the cursor is too old), `onResync` reloads the caller's snapshot and
   * returns its sequence to go on from; without `onResync` the stream stops.
   */
  stream(options: StreamOptions): StreamHandle {
    const backoff = options.backoffMs ?? [250, 500, 1000, 2000, 5000];
    const filter: EventFilter = { sessionId: options.sessionId, projectId: options.projectId, types: options.types };
    let cursor = options.since;
    let attempt = 0;
    let current: WatchHandle | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const status = (s: StreamStatus) => options.onStatus?.(s);
    const retry = () => {
      if (stopped) return;
      status('reconnecting');
      clearTimeout(timer);
      timer = setTimeout(connect, backoff[Math.min(attempt++, backoff.length - 1)]);
    };
    const connect = () => {
      if (stopped) return;
      try {
        current = this.watch(
          cursor,
          {
            onEvent: (event) => {
              if (cursor !== undefined && event.seq <= cursor) return;
              cursor = event.seq;
              options.onEvent(event);
            },
            onReady: (seq) => {
              attempt = 0;
              // With a filter, `seq` may be past the last event received: the server has looked at
              // everything up to it, so resuming from there misses nothing.
              cursor = Math.max(cursor ?? seq, seq);
              status('live');
            },
            onResync: async () => {
              current?.close();
              if (!options.onResync) {
                stopped = true;
                status('stopped');
                return;
              }
              try {
                cursor = await options.onResync();
                attempt = 0;
                connect();
              } catch {
                retry();
              }
            },
            onClose: () => retry(),
          },
          filter,
        );
      } catch {
        retry();
      }
    };
    status('connecting');
    connect();
    return {
      get seq() {
        return cursor;
      },
      reconnect(since?: number) {
        if (since !== undefined) cursor = since;
        current?.close();
        attempt = 0;
        retry();
      },
      close() {
        stopped = true;
        clearTimeout(timer);
        current?.close();
        status('stopped');
      },
    };
  }

  private authHeader(): Record<string, string> {
    return this.options.token ? { authorization: `Bearer ${this.options.token}` } : {};
  }
}

/** The body route `N` takes, as the caller writes it (fields with defaults may be left out). */
type Body<K extends ApiRouteKey> = RouteBody<(typeof API)[K]>;
