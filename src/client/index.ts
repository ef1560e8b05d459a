import type { LoopFailure } from '../core/loops/loop-monitor.js';
import type { SweepReport } from '../core/loops/sweeper.js';
import type {
  CreateProjectInput,
  CreateSessionInput,
  CreateTaskInput,
  EndReason,
  Project,
  Session,
  SpawnInput,
  Task,
  TimelineEntry,
  TouchInput,
  TransitionInput,
  TypedEvent,
  UpdateSessionInput,
  UpdateTaskInput,
} from '../domain/index.js';
import { MaestroApiError } from './errors.js';

export type { LoopFailure } from '../core/loops/loop-monitor.js';
export type * from '../domain/index.js';
export { MaestroApiError } from './errors.js';

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

/** Options of {@link MaestroClient.stream}. */
export interface StreamOptions {
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

/** A list of sessions and the event sequence it is consistent with. */
export interface SessionList {
  sessions: Session[];
  seq: number;
}

/** Server health (`GET /api/health`). Ages are in seconds, of sessions not yet ended. */
export interface Health {
  /** False when something needs a person: then `problems` says what, in words. */
  ok: boolean;
  problems: string[];
  engine: string;
  /** Whether this node leads (runs the sweeper and the scheduler). */
  leader: boolean;
  seq: number;
  sessions: {
    total: number;
    active: number;
    byStatus: Record<string, number>;
    oldestAgeSecs: number | null;
    newestAgeSecs: number | null;
    averageAgeSecs: number | null;
  };
  runtime: {
    kind: 'tmux';
    host: string;
    tmuxSocket: string;
    lastReconcile: { checked: boolean; error: string | null; durationMs: number } | null;
  };
  lastSweep: { at: string; durationMs: number; timedOut: number; purged: number } | null;
  /** Background loops failing now: since when (ISO 8601), how many passes in a row, the last message. */
  failingLoops: LoopFailure[];
}

/** What a cleanup did, or in a dry run would do. `durationMs` in milliseconds. */
export type CleanupReport = SweepReport;

type Query = Record<string, string | number | boolean | undefined>;

/** Filters of {@link MaestroClient.sessions}`.list`; timestamps are ISO-8601. */
export interface SessionQuery {
  status?: Session['status'];
  projectId?: string;
  taskId?: string;
  branch?: string;
  created_after?: string;
  created_before?: string;
  /** Only non-terminal sessions (true) or only ended ones (false). */
  active?: boolean;
  /** The N most recently created. */
  recent?: number;
  limit?: number;
}

/** A session's last output lines; `live` when read from its running tmux session. */
export interface SessionOutput {
  live: boolean;
  lines: string[];
}

/** The project queue: running projects, then queued ones in the order they will start. */
export interface QueueView {
  paused: boolean;
  running: Project[];
  queued: Project[];
}

/** Filters of {@link MaestroClient.tasks}`.list`. */
export interface TaskQuery {
  projectId?: string;
  status?: Task['status'];
  limit?: number;
}

/**
 * The typed Maestro API client, used by the CLI, the dashboard and integrations.
 * Every method throws {@link MaestroApiError} when the server answers with an error.
 */
export class MaestroClient {
  private readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: ClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
  }

  readonly projects = {
    create: (input: CreateProjectInput) => this.request<Project>('POST', '/api/projects', input),
    list: async () => (await this.request<{ projects: Project[] }>('GET', '/api/projects')).projects,
    get: (id: string) => this.request<Project>('GET', `/api/projects/${enc(id)}`),
    /** Puts a project in the queue (again), optionally with a new priority. */
    enqueue: (id: string, input: { priority?: number } = {}) =>
      this.request<Project>('POST', `/api/projects/${enc(id)}/enqueue`, input),
    /** Completes (or with `success: false`, fails) a project, ending its sessions. Idempotent. */
    complete: (id: string, input: { success?: boolean; reason?: string } = {}) =>
      this.request<Project>('POST', `/api/projects/${enc(id)}/complete`, input),
    /** Cancels a project: out of the queue, or stopped with its sessions. Idempotent. */
    cancel: (id: string) => this.request<Project>('POST', `/api/projects/${enc(id)}/cancel`, {}),
    /** Deletes a project with its sessions (full cascade, tmux sessions killed) and tasks; answers how many went. */
    delete: (id: string) =>
      this.request<{ id: string; sessions: number; killed: number; tasks: number }>('DELETE', `/api/projects/${enc(id)}`),
  };

  readonly queue = {
    list: () => this.request<QueueView>('GET', '/api/queue'),
    pause: () => this.request<QueueView>('POST', '/api/queue/pause', {}),
    resume: () => this.request<QueueView>('POST', '/api/queue/resume', {}),
  };

  readonly tasks = {
    create: (input: CreateTaskInput) => this.request<Task>('POST', '/api/tasks', input),
    list: async (query: TaskQuery = {}) =>
      (await this.request<{ tasks: Task[] }>('GET', '/api/tasks', undefined, { ...query })).tasks,
    get: (id: string) => this.request<Task>('GET', `/api/tasks/${enc(id)}`),
    timeline: async (id: string) =>
      (await this.request<{ timeline: TimelineEntry[] }>('GET', `/api/tasks/${enc(id)}/timeline`)).timeline,
    update: (id: string, input: UpdateTaskInput) => this.request<Task>('PATCH', `/api/tasks/${enc(id)}`, input),
    delete: (id: string) => this.request<void>('DELETE', `/api/tasks/${enc(id)}`),
  };

  readonly sessions = {
    create: (input: CreateSessionInput) => this.request<Session>('POST', '/api/sessions', input),
    spawn: (input: SpawnInput) => this.request<Session>('POST', '/api/sessions/spawn', input),
    /** Imports exported session metadata (what `get` returns) as a session record. */
    import: (metadata: Session) => this.request<Session>('POST', '/api/sessions/import', metadata),
    list: (query: SessionQuery = {}) => this.request<SessionList>('GET', '/api/sessions', undefined, { ...query }),
    get: (id: string) => this.request<Session>('GET', `/api/sessions/${enc(id)}`),
    update: (id: string, input: UpdateSessionInput) => this.request<Session>('PATCH', `/api/sessions/${enc(id)}`, input),
    transition: (id: string, input: TransitionInput) =>
      this.request<Session>('POST', `/api/sessions/${enc(id)}/transition`, input),
    end: (id: string, input: { reason?: EndReason; exitCode?: number | null; version?: number } = {}) =>
      this.request<Session>('POST', `/api/sessions/${enc(id)}/end`, input),
    /** Marks the session as waiting for its user. */
    needsInput: (id: string, input: { reason: 'permission' | 'question' | 'idle'; message?: string }) =>
      this.request<Session>('POST', `/api/sessions/${enc(id)}/needs-input`, input),
    /** Clears the session's wait for input. */
    inputGiven: (id: string) => this.request<Session>('POST', `/api/sessions/${enc(id)}/input-given`, {}),
    /** The last `lines` output lines: live from tmux while it runs, else those kept when it ended. */
    output: (id: string, lines?: number) =>
      this.request<SessionOutput>('GET', `/api/sessions/${enc(id)}/output`, undefined, { lines }),
    touch: (id: string, input: TouchInput = {}) => this.request<Session>('POST', `/api/sessions/${enc(id)}/touch`, input),
    linkTask: (id: string, taskId: string) => this.request<Session>('POST', `/api/sessions/${enc(id)}/tasks/${enc(taskId)}`),
    unlinkTask: (id: string, taskId: string) => this.request<Session>('DELETE', `/api/sessions/${enc(id)}/tasks/${enc(taskId)}`),
    delete: (id: string) => this.request<void>('DELETE', `/api/sessions/${enc(id)}`),
  };

  /** Server health and session metrics. */
  health(): Promise<Health> {
    return this.request<Health>('GET', '/api/health');
  }

  /** The OpenAPI 3.1 document of the API. */
  openApi(): Promise<Record<string, unknown>> {
    return this.request<Record<string, unknown>>('GET', '/api/openapi.json');
  }

  /** The Prometheus metrics, as text. */
  async metrics(): Promise<string> {
    const response = await this.fetchImpl(`${this.baseUrl}/metrics`, { headers: this.authHeader() });
    if (!response.ok) throw new MaestroApiError(response.status, 'http_error', `GET /metrics answered ${response.status}`);
    return response.text();
  }

  readonly maintenance = {
    /** Runs a sweep now: times out idle sessions, purges expired ones (at most `limit`). */
    cleanup: (input: { dryRun?: boolean; limit?: number } = {}) =>
      this.request<CleanupReport>('POST', '/api/maintenance/cleanup', input),
  };

  /**
   * Watches the event stream from `since` (every later event, in order), or from now when absent.
   * @throws Error when no WebSocket implementation is available
   */
  watch(since: number | undefined, handlers: WatchHandlers): WatchHandle {
    const WS = this.options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (!WS) throw new Error('no WebSocket implementation: pass options.WebSocket (e.g. the ws package) on Node 20');
    const url = new URL(`${this.baseUrl.replace(/^http/, 'ws')}/api/events`);
    if (since !== undefined) url.searchParams.set('since', String(since));
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
        current = this.watch(cursor, {
          onEvent: (event) => {
            if (cursor !== undefined && event.seq <= cursor) return;
            cursor = event.seq;
            options.onEvent(event);
          },
          onReady: (seq) => {
            attempt = 0;
            cursor ??= seq;
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
        });
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

  private async request<T>(method: string, path: string, body?: unknown, query?: Query): Promise<T> {
    const url = new URL(this.baseUrl + path);
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    const response = await this.fetchImpl(url, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...this.authHeader(),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    const data = text ? JSON.parse(text) : undefined;
    if (!response.ok) {
      const err = (data ?? {}) as { code?: string; message?: string; details?: Record<string, unknown> };
      throw new MaestroApiError(
        response.status,
        err.code ?? 'http_error',
        err.message ?? `${method} ${path} answered ${response.status}`,
        err.details,
      );
    }
    return data as T;
  }
}

const enc = encodeURIComponent;
