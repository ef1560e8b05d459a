import { open, stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { ConflictError, isTerminal, type Session, ValidationError } from '../../domain/index.js';
import type { CoreDeps } from '../deps.js';
import type { Runtime, TranscriptFiles } from '../runtime.js';
import type { SessionWrites } from './session-writes.js';

/** Options of {@link Transcripts.read}. */
export interface ReadTranscriptOptions {
  /** Go on sending what the session prints until it ends or `signal` aborts. */
  follow?: boolean;
  /** Ends a follow (the client went away). */
  signal?: AbortSignal;
}

/** While following, how often the session is checked for its end when it prints nothing, in milliseconds. */
const END_CHECK_MS = 1000;
/** Bytes read at once. */
const CHUNK = 64 * 1024;

/**
 * Sessions' transcripts: everything each pane printed, raw (escape sequences included, as a
 * terminal replays them), bounded and rotated by the runtime, deleted with the session
 * (docs/design.md §Agent state). Only the node that runs a session has its transcript.
 */
export class Transcripts {
  constructor(
    private readonly deps: CoreDeps & { runtime: Runtime },
    private readonly writes: Pick<SessionWrites, 'fetch'>,
  ) {}

  /**
   * A session's transcript as a byte stream: the rotated part, then the current file; with
   * `follow`, then what it prints next, until it ends (or `signal` aborts). Empty for a session
   * with no transcript (started with transcripts off).
   * @throws NotFoundError; ValidationError for a session without a runtime; ConflictError when
   *   it runs on another node
   */
  async read(id: string, options: ReadTranscriptOptions = {}): Promise<Readable> {
    const session = await this.writes.fetch(id);
    const { runtime } = this.deps;
    if (session.runtime.kind !== 'tmux' || session.runtime.tmuxSession === null)
      throw new ValidationError([{ path: 'params.id', message: `session ${id} has no runtime, so no transcript` }]);
    if (session.runtime.host !== runtime.host)
      throw new ConflictError(`session ${id} runs on ${session.runtime.host}: its transcript is on that node`, {
        sessionId: id,
        host: session.runtime.host,
      });
    const name = session.runtime.tmuxSession;
    const files = runtime.transcript(name);
    if (!files) return Readable.from([]);
    return Readable.from(this.chunks(session, name, files, options));
  }

  private async *chunks(
    session: Session,
    name: string,
    files: TranscriptFiles,
    { follow = false, signal }: ReadTranscriptOptions,
  ): AsyncGenerator<Buffer> {
    yield* readRange(files.previous, 0);
    let offset = 0;
    for await (const chunk of readRange(files.current, 0)) {
      offset += chunk.length;
      yield chunk;
    }
    if (!follow || isTerminal(session.status)) return;
    let live = true;
    while (live && !signal?.aborted) {
      await this.nextOutput(name, signal);
      live = !isTerminal((await this.deps.store.getSession(session.id))?.status ?? 'completed');
      const size = await sizeOf(files.current);
      if (size < offset) {
        // Rotated since: the end of what was current is in the previous file now.
        yield* readRange(files.previous, offset);
        offset = 0;
      }
      for await (const chunk of readRange(files.current, offset)) {
        offset += chunk.length;
        yield chunk;
      }
    }
  }

  /** Resolves at the next output of `name`, after {@link END_CHECK_MS} without any, or on abort. */
  private nextOutput(name: string, signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        off();
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const off = this.deps.runtime.notices.onOutput((printed) => {
        if (printed === name) done();
      });
      const timer = setTimeout(done, END_CHECK_MS);
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}

async function sizeOf(path: string): Promise<number> {
  return stat(path).then(
    (s) => s.size,
    () => 0,
  );
}

/** The bytes of `path` from `from` to its end as it is now, in chunks; nothing when it does not exist. */
async function* readRange(path: string, from: number): AsyncGenerator<Buffer> {
  const file = await open(path, 'r').catch(() => undefined);
  if (!file) return;
  try {
    let position = from;
    for (;;) {
      const buffer = Buffer.alloc(CHUNK);
      const { bytesRead } = await file.read(buffer, 0, CHUNK, position);
      if (bytesRead === 0) return;
      position += bytesRead;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await file.close();
  }
}
