import type { MaestroClient, StreamHandle, StreamOptions, TypedEvent } from '../client/index.js';

/** How long a burst of events is gathered before the view is drawn again, in milliseconds. */
const SETTLE_MS = 100;

/** A view that a `--watch` command keeps current. */
export interface LiveView<T> {
  /** Reads the view and the event sequence it is consistent with. */
  load(): Promise<{ value: T; seq: number }>;
  /** Whether an event may change the view (others are ignored). */
  affects(event: TypedEvent): boolean;
  /** Writes the view: the whole screen on a terminal, one entry per change in a pipe. */
  draw(value: T): void;
}

/**
 * Draws `view`, then draws it again after every event that affects it, until SIGINT or SIGTERM:
 * the event stream (resuming after cuts) says when, a fresh read says what. A burst of events
 * costs one read ({@link SETTLE_MS}). Resolves when stopped.
 */
export async function watchView<T>(client: MaestroClient, view: LiveView<T>): Promise<void> {
  // One Ctrl-C handler from the start to the end: a signal that came while handlers were swapped
  // (or before the first view was drawn) would otherwise kill the process instead of stopping it.
  let stopped = false;
  const interrupted = new Promise<void>((resolve) => {
    const stop = () => {
      stopped = true;
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  const first = await view.load();
  view.draw(first.value);
  if (stopped) return;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let drawing = Promise.resolve();
  const redraw = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      drawing = drawing.then(async () => {
        try {
          view.draw((await view.load()).value);
        } catch (err) {
          process.stderr.write(`could not refresh: ${err instanceof Error ? err.message : String(err)}\n`);
        }
      });
    }, SETTLE_MS);
  };
  const stream = client.stream({
    since: first.seq,
    onEvent: (event) => {
      if (view.affects(event)) redraw();
    },
    onResync: async () => {
      const fresh = await view.load();
      view.draw(fresh.value);
      return fresh.seq;
    },
  });
  await interrupted;
  stream.close();
  clearTimeout(timer);
  await drawing;
}

/**
 * Follows the event stream with `options` (resuming after cuts) until SIGINT or SIGTERM, then
 * closes it: what a command that runs until Ctrl-C needs. `stopped` resolves once it is closed.
 */
export function streamUntilInterrupted(
  client: MaestroClient,
  options: StreamOptions,
): { stream: StreamHandle; stopped: Promise<void> } {
  const stream = client.stream(options);
  const stopped = new Promise<void>((resolve) => {
    const stop = () => {
      stream.close();
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return { stream, stopped };
}

/**
 * Writes `text` as the whole screen on a terminal (cleared first, with a title line and the time),
 * or as the next block in a pipe (blocks separated by a blank line).
 */
export function drawScreen(title: string, text: string): void {
  if (process.stdout.isTTY) {
    const time = new Date().toLocaleTimeString(undefined, { hour12: false });
    process.stdout.write(`\x1b[2J\x1b[H${title} · ${time} · Ctrl-C stops\n\n${text}\n`);
  } else process.stdout.write(`${text}\n\n`);
}
