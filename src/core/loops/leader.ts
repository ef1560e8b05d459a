import { type Leadership, withLease } from '../../store/index.js';
import type { CoreDeps } from '../deps.js';
import { Loop } from './loop.js';

/** Something that runs on the leader only. */
export interface LeaderDuty {
  start(): void;
  stop(): Promise<void>;
}

/**
 * Runs the leader-only loops (sweeper, scheduler, lost-node check) while this node holds the
 * leader lease (docs/design.md §Leader election): every `intervalMs` milliseconds it takes or
 * renews the lease; on taking it, it starts them inside the lease's fencing token
 * ({@link withLease}), so every transaction they run is refused once another node has taken over.
 * It steps down when a renewal fails, and also, on its own timer, when the lease's validity runs
 * out before a renewal came back (a database that stopped answering): never acting as leader past
 * the lease. With one node (SQLite) it leads from the first pass.
 */
export class LeaderElection {
  private readonly loop: Loop;
  /** The fencing token of the lease held now; undefined when not leading. */
  private token: number | undefined;
  private expiry: NodeJS.Timeout | undefined;

  constructor(
    private readonly deps: CoreDeps & { leadership: Leadership },
    private readonly duties: LeaderDuty[],
    intervalMs: number,
  ) {
    this.loop = new Loop('leader election', intervalMs, () => this.check(), deps.log, deps.loops);
  }

  /** Whether this node leads now. */
  get isLeader(): boolean {
    return this.token !== undefined;
  }

  start(): void {
    this.loop.start();
  }

  /** Stops the election and the duties, and gives the lease up. */
  async stop(): Promise<void> {
    await this.loop.stop();
    await this.stepDown();
    await this.deps.leadership.release();
  }

  private async check(): Promise<void> {
    const lease = await this.deps.leadership.tryLead();
    // A lease whose answer came back too late (this process was frozen meanwhile) is no lease.
    if (!lease || lease.validUntil <= performance.now()) {
      if (this.isLeader) this.deps.log.warn('this node lost the leader lease: stopping the leader-only loops');
      return this.stepDown();
    }
    if (lease.token !== this.token) {
      // A new token (first take, or a take-over after our lease lapsed): duties restart under it.
      await this.stepDown();
      this.token = lease.token;
      this.deps.log.info(
        { token: lease.token },
        'this node is the leader: running the sweeper, the scheduler and the lost-node check',
      );
      withLease(lease.token, () => {
        for (const duty of this.duties) duty.start();
      });
    }
    clearTimeout(this.expiry);
    if (Number.isFinite(lease.validUntil)) {
      this.expiry = setTimeout(
        () => {
          this.deps.log.warn('the leader lease ran out before it could be renewed: stopping the leader-only loops');
          void this.stepDown();
        },
        Math.max(0, lease.validUntil - performance.now()),
      );
      this.expiry.unref();
    }
  }

  private async stepDown(): Promise<void> {
    clearTimeout(this.expiry);
    if (this.token === undefined) return;
    this.token = undefined;
    await Promise.all(this.duties.map((d) => d.stop()));
  }
}
