import type { Logger } from 'pino';
import type { Store } from '../store/index.js';
import type { Clock } from './clock.js';
import type { LoopReporter } from './loop-monitor.js';

/** What every core service needs. */
export interface CoreDeps {
  store: Store;
  clock: Clock;
  log: Logger;
  /** Where background loops report each pass (the composition root's `LoopMonitor`); none in most tests. */
  loops?: LoopReporter;
}
