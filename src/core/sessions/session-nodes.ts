import { isAlreadyGone } from '../../domain/index.js';
import type { CoreDeps } from '../deps.js';
import type { Runtime } from '../runtime.js';
import type { SessionEnder } from './session-lifecycle.js';

/**
 * The sessions other nodes run, as this node sees them (docs/design.md §Nodes): a node that stops
 * heartbeating may be cut off rather than dead, so its live sessions first read
 * `runtime.unreachable` (after `nodeTimeoutSecs`, default 30 s) and are ended `lost` only when
 * it stays silent (after `nodeLostSecs`, default 300 s; by the leader's sweep).
 */
export class SessionNodes {
  /** @param lifecycle ends the sessions of lost nodes */
  constructor(
    private readonly deps: CoreDeps & { runtime: Pick<Runtime, 'host'> },
    private readonly options: { nodeTimeoutSecs?: number; nodeLostSecs?: number },
    private readonly lifecycle: SessionEnder,
  ) {}

  /** `sessions` with the live ones of silent nodes flagged `runtime.unreachable`: unreachable, not dead. */
  async markUnreachable<T extends { completedAt: string | null; runtime: { host: string | null; unreachable?: boolean } }>(
    sessions: T[],
  ): Promise<T[]> {
    const own = this.deps.runtime.host;
    if (!sessions.some((s) => s.completedAt === null && s.runtime.host !== null && s.runtime.host !== own)) return sessions;
    const cutoff = this.deps.clock.now() - (this.options.nodeTimeoutSecs ?? 30) * 1000;
    const down = new Set(
      (await this.deps.store.listNodes()).filter((n) => n.host !== own && n.heartbeatAt < cutoff).map((n) => n.host),
    );
    return sessions.map((s) =>
      s.completedAt === null && s.runtime.host !== null && down.has(s.runtime.host)
        ? { ...s, runtime: { ...s.runtime, unreachable: true } }
        : s,
    );
  }

  /**
   * Ends, as `lost`, the live sessions of every other node silent for longer than `nodeLostSecs`
   * (its machine is gone; nothing else will ever end them). Returns their ids.
   */
  async endSessionsOfLostNodes(): Promise<string[]> {
    const cutoff = this.deps.clock.now() - (this.options.nodeLostSecs ?? 300) * 1000;
    const ended: string[] = [];
    for (const node of await this.deps.store.listNodes()) {
      if (node.host === this.deps.runtime.host || node.heartbeatAt >= cutoff) continue;
      for (const record of await this.deps.store.listActiveRuntimes(node.host)) {
        try {
          // No output to capture: its runtime is on the silent node.
          await this.lifecycle.end(record.id, 'lost', { output: [] });
          ended.push(record.id);
        } catch (err) {
          if (!isAlreadyGone(err)) throw err;
        }
      }
      if (ended.length > 0) this.deps.log.warn({ host: node.host, sessions: ended.length }, 'sessions of a lost node ended');
    }
    return ended;
  }
}
