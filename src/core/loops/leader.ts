import type { Leadership } from '../../store/index.js';
import type { CoreDeps } from '../deps.js';
import { Loop } from './loop.js';

/** Something that runs on the leader only. */
export interface LeaderDuty {
  start(): void;
  stop(): Promise<void>;
}

/**
 * Runs the leader-only loops (sweeper, scheduler) while this node holds leadership: every
 * `intervalMs` milliseconds it tries to lead; on winning it starts them, on losing it stops them.
 * With one node (SQLite) it leads from the first pass.
 */
export class LeaderElection {
  private readonly loop: Loop;
  private leading = false;

  constructor(
    private readonly deps: CoreDeps & { leadership: Leadership },
    private readonly duties: LeaderDuty[],
    intervalMs: number,
  ) {
    this.loop = new Loop('leader election', intervalMs, () => this.check(), deps.log, deps.loops);
  }

  /** Whether this node leads now. */
  get isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    this.loop.start();
  }

  /** Stops the election and the duties, and gives leadership up. */
  async stop(): Promise<void> {
    await this.loop.stop();
    if (this.leading) await Promise.all(this.duties.map((d) => d.stop()));
    this.leading = false;
    await this.deps.leadership.release();
  }

  private async check(): Promise<void> {
    const leads = await this.deps.leadership.tryLead();
    if (leads === this.leading) return;
    this.leading = leads;
    if (leads) {
      this.deps.log.info('this node is the leader: running the sweeper and the scheduler');
      for (const duty of this.duties) duty.start();
    } else {
      this.deps.log.warn('this node lost leadership: stopping the sweeper and the scheduler');
      await Promise.all(this.duties.map((d) => d.stop()));
    }
  }
}
