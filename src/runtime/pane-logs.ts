import { type FSWatcher, watch } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** Options of {@link PaneLogs}. */
export interface PaneLogsOptions {
  /** Absolute directory of the transcripts, one `<tmux session name>.log` each (made when missing). */
  dir: string;
  /**
   * Bound of one session's transcript, in bytes: past half of it the file is rotated to
   * `<name>.log.1` (replacing an older one, and cut to its newest half), so the two together stay
   * near this bound.
   */
  maxBytes: number;
  /** Re-points `name`'s pane stream at a new, empty file (after a rotation). */
  reopen(name: string, path: string): Promise<void>;
  /** Told of a failure in the background (a rotation that failed); never thrown. */
  onError?(err: unknown, name: string): void;
}

/** How long after output a transcript's size is checked (at most once in that time), in milliseconds. */
const SIZE_CHECK_MS = 1000;

/**
 * The transcripts of the panes (docs/design.md §Agent state): tmux appends each pane's output to
 * `<dir>/<name>.log` (`pipe-pane`), and one watch of the directory (inotify on Linux) tells of
 * every write as it happens — no polling of panes. Each transcript is bounded by rotation and
 * removed with its session.
 */
export class PaneLogs {
  private watcher: FSWatcher | undefined;
  private opening: Promise<void> | undefined;
  private readonly outputListeners = new Set<(name: string) => void>();
  private readonly startListeners = new Set<(name: string) => void>();
  /** The size checks due, one per transcript at most (see {@link checkSize}). */
  private readonly checks = new Map<string, NodeJS.Timeout>();

  constructor(private readonly options: PaneLogsOptions) {}

  /** The transcript file of `name`. */
  path(name: string): string {
    return join(this.options.dir, `${name}.log`);
  }

  /** Makes the directory and starts watching it; idempotent, concurrent callers included (one watch). */
  open(): Promise<void> {
    this.opening ??= this.watchDir().catch((err: unknown) => {
      this.opening = undefined;
      throw err;
    });
    return this.opening;
  }

  private async watchDir(): Promise<void> {
    await mkdir(this.options.dir, { recursive: true, mode: 0o700 });
    this.watcher = watch(this.options.dir, { persistent: false }, (kind, file) => {
      if (!file?.endsWith('.log')) return;
      const name = file.slice(0, -'.log'.length);
      if (kind === 'rename') for (const listener of this.startListeners) listener(name);
      else {
        for (const listener of this.outputListeners) listener(name);
        this.checkSize(name);
      }
    });
    this.watcher.on('error', (err) => this.options.onError?.(err, ''));
  }

  /** Stops watching (and checking sizes); idempotent. */
  close(): void {
    this.watcher?.close();
    this.watcher = undefined;
    this.opening = undefined;
    for (const timer of this.checks.values()) clearTimeout(timer);
    this.checks.clear();
  }

  /** Subscribes to output notices (a pane wrote to its transcript); returns the unsubscribe function. */
  onOutput(listener: (name: string) => void): () => void {
    this.outputListeners.add(listener);
    return () => this.outputListeners.delete(listener);
  }

  /** Subscribes to start notices (a transcript was created: a pane's stream opened). */
  onStart(listener: (name: string) => void): () => void {
    this.startListeners.add(listener);
    return () => this.startListeners.delete(listener);
  }

  /** Removes `name`'s transcripts; quiet when there are none. */
  async remove(name: string): Promise<void> {
    clearTimeout(this.checks.get(name));
    this.checks.delete(name);
    await rm(this.path(name), { force: true });
    await rm(`${this.path(name)}.1`, { force: true });
  }

  /**
   * Rotates `name`'s transcript once it passes half the bound: checked a second after output
   * (then at most once a second while it goes on), so the end of a burst is checked too.
   */
  private checkSize(name: string): void {
    if (this.checks.has(name)) return;
    this.checks.set(
      name,
      setTimeout(() => {
        void this.rotateIfFull(name)
          .catch((err: unknown) => this.options.onError?.(err, name))
          .finally(() => this.checks.delete(name));
      }, SIZE_CHECK_MS).unref(),
    );
  }

  private async rotateIfFull(name: string): Promise<void> {
    const path = this.path(name);
    const size = await stat(path).then(
      (s) => s.size,
      () => 0,
    );
    if (size <= this.options.maxBytes / 2) return;
    // The pane keeps writing to the renamed file until its stream is re-pointed: nothing is lost.
    const previous = `${path}.1`;
    await rename(path, previous);
    await this.options.reopen(name, path);
    // A burst faster than the checks may have filled it past half the bound: keep its newest half.
    const keep = Math.floor(this.options.maxBytes / 2);
    const written = (await stat(previous)).size;
    if (written > keep) {
      const file = await open(previous, 'r+');
      try {
        const tail = Buffer.alloc(keep);
        await file.read(tail, 0, keep, written - keep);
        await file.write(tail, 0, keep, 0);
        await file.truncate(keep);
      } finally {
        await file.close();
      }
    }
  }
}
