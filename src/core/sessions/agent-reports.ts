import { type HookAgent, type HookInput, hookInput, parseInput, type Session } from '../../domain/index.js';
import { readHook } from '../agents/hook-reports.js';
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
  constructor(
    private readonly deps: CoreDeps,
    private readonly parts: {
      writes: Pick<SessionWrites, 'fetch' | 'mutate'>;
      agentStates: Pick<AgentStates, 'set'>;
      expiry: Pick<SessionExpiry, 'expireDue' | 'activityGranularityMs'>;
    },
  ) {}

  /**
   * Takes one hook report of `agent` for session `id`: the agent's own payload, unchanged.
   * @returns the session after the report
   * @throws ValidationError (not a hook payload); NotFoundError; ConflictError once it has ended
   */
  async report(agent: HookAgent, id: string, payload: unknown): Promise<Session> {
    const input: HookInput = parseInput(hookInput, payload ?? {}, 'body');
    await this.parts.expiry.expireDue();
    const { change } = readHook(agent, input);
    const now = this.deps.clock.now();
    let session = change
      ? await this.parts.agentStates.set(id, change, { source: 'hook' })
      : requireLive(await this.parts.writes.fetch(id));
    if (now - Date.parse(session.lastActivityAt) >= this.parts.expiry.activityGranularityMs)
      session = await this.parts.writes.mutate(id, (s) => requireLive(s), { activity: 'touch' });
    return session;
  }
}
