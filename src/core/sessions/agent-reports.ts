import { type HookAgent, type HookInput, hookInput, parseInput, type Session } from '../../domain/index.js';
import { readHook } from '../agents/hook-reports.js';
import type { TokenCounts } from '../agents/prices.js';
import { readableTranscript, TranscriptUsage, transcriptRoots } from '../agents/usage.js';
import type { CoreDeps } from '../deps.js';
import type { AgentStates } from './agent-states.js';
import type { SessionExpiry } from './session-expiry.js';
import { requireLive } from './session-records.js';
import type { SessionWrites } from './session-writes.js';

/**
 * What agents report about themselves through their hooks (docs/design.md §Hooks): Claude Code's
 * and Gemini CLI's hook JSON, Codex's `notify`, aider's notifications command. Each report moves
 * the agent's state (outranking its screen for a while) and is a sign of life, counted coarsely
 * (like output: at most once per granularity), so a busy agent's tool calls do not each cost a
 * write.
 */
export class AgentReports {
  /** Each session's transcript reader (the bytes read so far), kept between reports. */
  private readonly usage = new Map<string, TranscriptUsage>();
  private readonly usageListeners = new Set<(delta: UsageDelta) => void>();

  constructor(
    private readonly deps: CoreDeps,
    private readonly parts: {
      writes: Pick<SessionWrites, 'fetch' | 'mutate'>;
      agentStates: Pick<AgentStates, 'set'>;
      expiry: Pick<SessionExpiry, 'expireDue' | 'activityGranularityMs'>;
    },
    /** Where agents keep their transcripts: a hook naming any other file is not read (see `transcriptRoots`). */
    private readonly roots: readonly string[] = transcriptRoots(),
  ) {}

  /** Subscribes to usage as it grows (for the token and cost counters of `/metrics`); returns the unsubscribe function. */
  onUsage(listener: (delta: UsageDelta) => void): () => void {
    this.usageListeners.add(listener);
    return () => this.usageListeners.delete(listener);
  }

  /**
   * Takes one hook report of `agent` for session `id`: the agent's own payload, unchanged.
   * @returns the session after the report
   * @throws ValidationError (not a hook payload); NotFoundError; ConflictError once it has ended
   */
  async report(agent: HookAgent, id: string, payload: unknown): Promise<Session> {
    const input: HookInput = parseInput(hookInput, payload ?? {}, 'body');
    await this.parts.expiry.expireDue();
    const { change, transcriptPath, tool } = readHook(agent, input);
    const now = this.deps.clock.now();
    let session = change
      ? await this.parts.agentStates.set(id, change, { source: 'hook' })
      : requireLive(await this.parts.writes.fetch(id));
    // Coarse like output: the tool it runs rides on the activity write, never a write of its own.
    if (now - Date.parse(session.lastActivityAt) >= this.parts.expiry.activityGranularityMs)
      session = await this.parts.writes.mutate(
        id,
        (s) => ({ ...requireLive(s), lastActivityDetail: tool ?? s.lastActivityDetail }),
        { activity: 'touch' },
      );
    if (transcriptPath) session = await this.readUsage(session, transcriptPath);
    return session;
  }

  /**
   * Reads what the agent's transcript gained since the last report and stores the session's totals
   * (`statistics.tokens`, `model`, `costUsd`), appending `session:updated` when they changed. The
   * first report after a start of Maestro reads the transcript from its start (totals, not sums,
   * so nothing is counted twice).
   */
  private async readUsage(session: Session, path: string): Promise<Session> {
    let reader = this.usage.get(session.id);
    if (reader?.path !== path) {
      if (!(await readableTranscript(path, this.roots))) {
        this.deps.log.warn({ sessionId: session.id, path }, 'transcript not read: not a .jsonl file in an agent’s directory');
        return session;
      }
      reader = new TranscriptUsage(path);
      this.usage.set(session.id, reader);
    }
    if (!(await reader.update())) return session;
    const { tokens, model, costUsd } = reader.current;
    const before = session.statistics;
    const updated = await this.parts.writes.mutate(
      session.id,
      (s) => ({ ...requireLive(s), statistics: { ...s.statistics, tokens, model, costUsd } }),
      { activity: false },
    );
    const delta: UsageDelta = {
      model: model ?? 'unknown',
      tokens: {
        input: Math.max(0, tokens.input - before.tokens.input),
        output: Math.max(0, tokens.output - before.tokens.output),
        cacheRead: Math.max(0, tokens.cacheRead - before.tokens.cacheRead),
        cacheWrite: Math.max(0, tokens.cacheWrite - before.tokens.cacheWrite),
      },
      costUsd: Math.max(0, costUsd - before.costUsd),
    };
    for (const listener of this.usageListeners) listener(delta);
    return updated;
  }

  /** Forgets a session's transcript reader (it ended or went). */
  forget(id: string): void {
    this.usage.delete(id);
  }
}

/** What a session's usage grew by, at one report: tokens by kind and the estimated cost (US dollars). */
export interface UsageDelta {
  model: string;
  tokens: TokenCounts;
  costUsd: number;
}
