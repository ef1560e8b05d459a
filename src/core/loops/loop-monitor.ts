import type { LoopFailure, NewEvent } from '../../domain/index.js';
import type { CoreDeps, LoopReporter } from '../deps.js';

/**
 * Watches the background loops' passes, so that a failing sweeper, scheduler or reconciler shows
 * where people look, not only in the log (docs/design.md §Loop failures: loops report failures as
 * events and logs). A loop that starts failing appends `loop:failed` `{loop, message}`; one that
 * passes again appends `loop:recovered` `{loop, failures}`. Only the changes are events: a
 * reconciler failing every second would otherwise fill the event log. Every failing pass is still
 * logged by the loop itself.
 *
 * The state is this process's (each node runs its own loops). Appending the event is best effort:
 * when the database is what fails, the event fails too, and that is logged.
 */
export class LoopMonitor implements LoopReporter {
  private readonly failing = new Map<string, LoopFailure>();
  private readonly known = new Set<string>();

  constructor(private readonly deps: CoreDeps) {}

  /** Records a pass that ended normally; appends `loop:recovered` when the loop was failing. */
  passed(loop: string): void {
    this.known.add(loop);
    const failure = this.failing.get(loop);
    if (!failure) return;
    this.failing.delete(loop);
    this.deps.log.info({ loop, failures: failure.failures }, `${loop} recovered`);
    this.append({ type: 'loop:recovered', data: { loop, failures: failure.failures } });
  }

  /** Records a failed pass; appends `loop:failed` when it is the first in a row. */
  failed(loop: string, err: unknown): void {
    this.known.add(loop);
    const message = err instanceof Error ? err.message : String(err);
    const failure = this.failing.get(loop);
    if (failure) {
      failure.failures += 1;
      failure.message = message;
      return;
    }
    this.failing.set(loop, { loop, since: new Date(this.deps.clock.now()).toISOString(), failures: 1, message });
    this.append({ type: 'loop:failed', data: { loop, message } });
  }

  /** The loops failing now, with their first failure's time and the last message. */
  failures(): LoopFailure[] {
    return [...this.failing.values()].map((f) => ({ ...f }));
  }

  /** Every loop that has reported a pass, and whether it is failing now. */
  states(): { loop: string; failing: boolean }[] {
    return [...this.known].map((loop) => ({ loop, failing: this.failing.has(loop) }));
  }

  private append(event: NewEvent & { type: 'loop:failed' | 'loop:recovered' }): void {
    const { store, clock, log } = this.deps;
    store
      .transaction((tx) => tx.appendEvents([event], clock.now()))
      .catch((err: unknown) => log.warn({ err, type: event.type, ...event.data }, 'could not append the loop event'));
  }
}
