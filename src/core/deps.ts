import type { Logger } from 'pino';
import type { Store } from '../store/index.js';
import type { Clock } from './clock.js';

/** What every core service needs. */
export interface CoreDeps {
  store: Store;
  clock: Clock;
  log: Logger;
}
