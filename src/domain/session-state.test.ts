import { describe, expect, it } from 'vitest';
import { InvalidTransitionError } from './errors.js';
import {
  agentFinished,
  canTransition,
  END_REASONS,
  end,
  endStatusFor,
  isTerminal,
  SESSION_PHASES,
  SESSION_STATUSES,
  SESSION_TRANSITIONS,
  type SessionStatus,
  transition,
} from './session-state.js';

// The table of docs/design.md §Workflow transitions, written out independently of the implementation's table.
const DESIGN_TABLE: Record<SessionStatus, SessionStatus[]> = {
  initializing: ['planning', 'failed', 'paused'],
  planning: ['generating_tasks', 'failed', 'paused'],
  generating_tasks: ['implementing', 'failed', 'paused'],
  implementing: ['validating', 'failed', 'paused'],
  validating: ['generating_report', 'implementing', 'failed', 'paused'],
  generating_report: ['completed', 'failed', 'paused'],
  paused: ['planning', 'generating_tasks', 'implementing', 'validating', 'generating_report', 'failed', 'completed'],
  completed: [],
  failed: [],
};

const pairs = SESSION_STATUSES.flatMap((from) => SESSION_STATUSES.map((to) => [from, to] as const));
const allowed = pairs.filter(([from, to]) => DESIGN_TABLE[from].includes(to));
const forbidden = pairs.filter(([from, to]) => !DESIGN_TABLE[from].includes(to));

describe('session state machine', () => {
  it('has exactly the states of the DESIGN table', () => {
    expect(Object.keys(SESSION_TRANSITIONS).sort()).toEqual(Object.keys(DESIGN_TABLE).sort());
    expect(allowed.length + forbidden.length).toBe(81);
  });

  it.each(allowed)('allows %s → %s', (from, to) => {
    expect(canTransition(from, to)).toBe(true);
    expect(transition('sess_x', from, to)).toBe(to);
  });

  it.each(forbidden)('forbids %s → %s, naming the current and the allowed states', (from, to) => {
    expect(canTransition(from, to)).toBe(false);
    let thrown: unknown;
    try {
      transition('sess_x', from, to);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(InvalidTransitionError);
    const err = thrown as InvalidTransitionError;
    expect(err.details).toEqual({ sessionId: 'sess_x', from, to, allowed: DESIGN_TABLE[from] });
    expect(err.message).toContain(from);
    for (const state of DESIGN_TABLE[from]) expect(err.message).toContain(state);
  });

  it('knows the terminal states', () => {
    expect(SESSION_STATUSES.filter(isTerminal)).toEqual(['completed', 'failed']);
  });

  it('names its states, end reasons and phases as the API spells them', () => {
    expect(SESSION_STATUSES).toEqual(Object.keys(DESIGN_TABLE));
    expect(END_REASONS).toEqual(['completed', 'stopped', 'failed', 'terminal_closed', 'timed_out', 'killed', 'lost', 'deleted']);
    expect(SESSION_PHASES).toEqual(['plan', 'generate_tasks', 'implement', 'validate', 'report']);
  });
});

describe('ending', () => {
  const live = SESSION_STATUSES.filter((s) => !isTerminal(s));

  it.each(live)('ends from %s with every reason', (from) => {
    for (const reason of END_REASONS) {
      expect(end('sess_x', from, reason, reason === 'terminal_closed' ? 0 : null)).toBe(endStatusFor(reason, 0));
    }
  });

  it('lands in completed for an explicit completion or a clean exit, failed otherwise', () => {
    expect(endStatusFor('completed')).toBe('completed');
    expect(endStatusFor('terminal_closed', 0)).toBe('completed');
    expect(endStatusFor('terminal_closed', 1)).toBe('failed');
    expect(endStatusFor('terminal_closed', null)).toBe('failed');
    for (const reason of ['failed', 'timed_out', 'killed', 'lost', 'deleted'] as const)
      expect(endStatusFor(reason, 0)).toBe('failed');
    // A person stopping an agent is not a failure, whatever its command's exit.
    expect(endStatusFor('stopped')).toBe('completed');
    expect(endStatusFor('stopped', 1)).toBe('completed');
  });

  it("says the agent's work is done only for an explicit completion or a clean exit, not for a person's stop", () => {
    expect(agentFinished('completed', null)).toBe(true);
    expect(agentFinished('completed', 1)).toBe(true);
    expect(agentFinished('terminal_closed', 0)).toBe(true);
    expect(agentFinished('terminal_closed', 1)).toBe(false);
    expect(agentFinished('terminal_closed', null)).toBe(false);
    expect(agentFinished(null, 0)).toBe(false);
    for (const reason of ['stopped', 'failed', 'timed_out', 'killed', 'lost', 'deleted'] as const)
      expect(agentFinished(reason, 0)).toBe(false);
  });

  it.each(['completed', 'failed'] as const)('refuses to end a session already %s, naming where the ending would land', (from) => {
    expect(() => end('sess_x', from, 'completed')).toThrow(InvalidTransitionError);
    for (const [reason, to] of [
      ['completed', 'completed'],
      ['killed', 'failed'],
    ] as const) {
      let thrown: unknown;
      try {
        end('sess_x', from, reason);
      } catch (err) {
        thrown = err;
      }
      expect((thrown as InvalidTransitionError).details).toEqual({ sessionId: 'sess_x', from, to, allowed: [] });
    }
  });
});
