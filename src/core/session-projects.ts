import { type MaestroEvent, projectsStated } from '../domain/index.js';
import type { Store } from '../store/index.js';

/** Sessions whose project is remembered at most; the oldest learnt goes first. About 150 bytes each. */
const CAPACITY = 50_000;

/**
 * Which project each session belongs to, for project-filtered event streams: `session:agent_state`
 * and the link events name a session but not its project (docs/design.md §Delivery and resync).
 * Learnt from every event that states it (creations, updates, ends, deletions, batches) and, for a
 * session not seen since start-up, read once from the store; shared by all subscribers, so a
 * thousand project pages cost one lookup per session, not a thousand.
 */
export class SessionProjects {
  private readonly known = new Map<string, string>();
  private readonly reading = new Map<string, Promise<void>>();
  private listening = false;

  constructor(private readonly store: Pick<Store, 'getSession' | 'onEvents'>) {}

  /** The project of session `id`, when known. */
  get(id: string): string | undefined {
    return this.known.get(id);
  }

  /**
   * Makes the project of each of `ids` known (those the store still holds). Listens to the log
   * from the first call on, so what it learns stays current.
   * @throws what the store throws on a failed read
   */
  async place(ids: readonly string[]): Promise<void> {
    if (!this.listening) {
      // For as long as the store lives, like the stream that owns this.
      this.store.onEvents((events) => this.learn(events));
      this.listening = true;
    }
    await Promise.all(ids.filter((id) => !this.known.has(id)).map((id) => this.reading.get(id) ?? this.read(id)));
  }

  private learn(events: readonly MaestroEvent[]): void {
    for (const event of events) for (const [id, projectId] of projectsStated(event)) this.remember(id, projectId, true);
  }

  private read(id: string): Promise<void> {
    const reading = this.store
      .getSession(id)
      // What the log stated meanwhile is newer than this read: keep it.
      .then((session) => {
        if (session) this.remember(id, session.projectId, false);
      })
      .finally(() => this.reading.delete(id));
    this.reading.set(id, reading);
    return reading;
  }

  private remember(id: string, projectId: string, override: boolean): void {
    if (!override && this.known.has(id)) return;
    this.known.delete(id);
    this.known.set(id, projectId);
    if (this.known.size > CAPACITY) this.known.delete(this.known.keys().next().value as string);
  }
}
