import { agentStateLabel, type Session } from '../../src/client/index.js';
import { age } from './format.js';

/** Badge colour of each agent state: waiting stands out, working is live, the rest are quiet. */
const TONE: Record<NonNullable<Session['agentState']>, string> = {
  starting: 'quiet',
  working: 'live',
  waiting: 'warn',
  idle: 'quiet',
  exited: 'quiet',
};

/**
 * What a session's agent is doing (docs/design.md §Agent state), as a badge: the state, the reason
 * of a wait, and for how long; its title holds the waiting question.
 */
export function AgentStateBadge({ session: s, now }: { session: Session; now: number }) {
  if (s.agentState === null) return <span className="muted">—</span>;
  const since = s.agentStateSince ? ` · ${age(s.agentStateSince, now)}` : '';
  return (
    <span className={`badge ${TONE[s.agentState]}`} data-agent-state={s.agentState} title={s.waitingFor?.message ?? ''}>
      {agentStateLabel(s)}
      {s.agentState === 'exited' ? '' : since}
    </span>
  );
}
