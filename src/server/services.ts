import type { Clock } from '../core/clock.js';
import type { EventStream } from '../core/event-stream.js';
import type { LoopMonitor } from '../core/loops/loop-monitor.js';
import type { Reconciler } from '../core/loops/reconciler.js';
import type { Sweeper } from '../core/loops/sweeper.js';
import type { ProjectService } from '../core/projects/projects.js';
import type { TaskService } from '../core/projects/tasks.js';
import type { SessionService } from '../core/sessions/sessions.js';
import type { Store } from '../store/index.js';
import type { Metrics } from './metrics.js';

/** The core services the HTTP layer serves. */
export interface Services {
  store: Store;
  projects: ProjectService;
  tasks: TaskService;
  sessions: SessionService;
  events: EventStream;
  sweeper: Sweeper;
  reconciler: Reconciler;
  /** How the background loops' passes go (failing loops). */
  loops: LoopMonitor;
  /** Whether this node leads (runs the sweeper and the scheduler). */
  election: { readonly isLeader: boolean };
  /**
   * Where this node runs sessions: its name (`MAESTRO_NODE_NAME`) and tmux socket (`tmux -L`); and
   * how long another node may be silent before it is down, in seconds (`MAESTRO_NODE_TIMEOUT_SECS`):
   * no request is forwarded to a node down.
   */
  runtimeInfo: { host: string; tmuxSocket: string; nodeTimeoutSecs: number };
  metrics: Metrics;
  clock: Clock;
}
