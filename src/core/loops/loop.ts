import { AsyncResource } from 'node:async_hooks';
import type { Logger } from 'pino';
import type { LoopReporter } from '../deps.js';

/**
 * A background loop: runs `pass` every `intervalMs` milliseconds, never overlapping itself and
 * never throwing out of its timer (a failing pass is logged and the loop goes on). The timer is
 * re-armed after each pass ends (graphile-worker's pattern), so a slow pass delays the next one
 * instead of stacking. `start()` and `stop()` are idempotent; `stop()` waits for an in-flight pass.
 * Each pass's outcome goes to `reporter` when one is given (see `LoopMonitor`).
 *
 * Every pass runs in the async context `start()` was called in, whatever woke it (a timer, an
 * event): a leader's duties were started inside its lease's fencing token, and their passes must
 * carry that token, not the context of whoever appended the event that woke them.
 */
export class Loop {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private started = false;
  /** A wake-up arrived during a pass: run again as soon as it ends. */
  private rerun = false;
  /** `pass`, bound to the context of the last `start()`. */
  private bound: () => Promise<unknown>;

  constructor(
    private readonly name: string,
    private readonly intervalMs: number,
    private readonly pass: () => Promise<unknown>,
    private readonly log: Logger,
    private readonly reporter?: LoopReporter,
  ) {
    this.bound = pass;
  }

  /** Starts the loop; the first pass runs at once. Calling it again does nothing. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.bound = AsyncResource.bind(() => this.pass());
    this.schedule(0);
  }

  /** Stops the loop and waits for an in-flight pass to finish. Calling it again does nothing. */
  async stop(): Promise<void> {
    this.started = false;
    this.bound = this.pass;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /**
   * Runs one pass now, unless one is already running (then waits for that one).
   * Resolves when it ends; never rejects.
   */
  runNow(): Promise<void> {
    if (!this.running) {
      this.running = this.bound()
        .then(
          () => this.reporter?.passed(this.name),
          (err: unknown) => {
            this.log.error({ err, loop: this.name }, `${this.name} pass failed`);
            this.reporter?.failed(this.name, err);
          },
        )
        .finally(() => {
          this.running = undefined;
        });
    }
    return this.running;
  }

  /**
   * Runs a pass soon instead of at the next interval; a wake-up during a pass runs one more pass
   * right after it. Does nothing when the loop is stopped.
   */
  wake(): void {
    if (!this.started) return;
    if (this.running) {
      this.rerun = true;
      return;
    }
    clearTimeout(this.timer);
    this.schedule(0);
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      void this.runNow().then(() => {
        if (!this.started) return;
        const again = this.rerun;
        this.rerun = false;
        this.schedule(again ? 0 : this.intervalMs);
      });
    }, delayMs);
    this.timer.unref();
  }
}
