import type { Logger } from 'pino';
import type { Store } from '../store/index.js';
import type { Clock } from './clock.js';

/**
 * Where a loop reports how each pass went (the composition root's `LoopMonitor`). Declared here,
 * beside the dependencies that carry it, so that the monitor and its users import one way.
 */
export interface LoopReporter {
  passed(loop: string): void;
  failed(loop: string, err: unknown): void;
}

/** What every core service needs. */
export interface CoreDeps {
  store: Store;
  clock: Clock;
  log: Logger;
  /** Where background loops report each pass (the composition root's `LoopMonitor`); none in most tests. */
  loops?: LoopReporter;
}
