import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Leadership, Lease } from '../../store/index.js';
import type { CoreDeps } from '../deps.js';
import { type LeaderDuty, LeaderElection } from './leader.js';

/** A leadership whose answers the test gives, one per `tryLead`; `'hang'` never answers (a database that stopped answering). */
function scriptedLeadership(answers: (((now: number) => Lease | null) | 'hang')[]): Leadership {
  return {
    tryLead: () => {
      const next = answers.shift() ?? 'hang';
      return next === 'hang' ? new Promise<never>(() => undefined) : Promise.resolve(next(performance.now()));
    },
    release: async () => undefined,
  };
}

function recordingDuty(): LeaderDuty & { starts: number; stops: number } {
  const duty = {
    starts: 0,
    stops: 0,
    start: () => {
      duty.starts++;
    },
    stop: async () => {
      duty.stops++;
    },
  };
  return duty;
}

describe('LeaderElection', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'performance', 'Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });
  const deps = (leadership: Leadership) =>
    ({ log: pino({ level: 'silent' }), leadership }) as unknown as CoreDeps & { leadership: Leadership };

  it('stops acting as the leader when its lease runs out before a renewal comes back', async () => {
    const duty = recordingDuty();
    const lease = (token: number) => (now: number) => ({ token, validUntil: now + 3000 });
    const election = new LeaderElection(deps(scriptedLeadership([lease(1), 'hang'])), [duty], 1000);
    election.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(election.isLeader).toBe(true);
    expect(duty.starts).toBe(1);
    // The renewal at 1 s never answers; the lease taken at 0 s is good until 3 s, not a moment more.
    await vi.advanceTimersByTimeAsync(2999);
    expect(election.isLeader).toBe(true);
    await vi.advanceTimersByTimeAsync(1);
    expect(election.isLeader).toBe(false);
    expect(duty.stops).toBe(1);
  });

  it('a renewal keeps the duties running; a new token restarts them; a refused renewal stops them', async () => {
    const duty = recordingDuty();
    const lease = (token: number) => (now: number) => ({ token, validUntil: now + 3000 });
    const election = new LeaderElection(deps(scriptedLeadership([lease(1), lease(1), lease(2), () => null])), [duty], 1000);
    election.start();
    await vi.advanceTimersByTimeAsync(1000);
    expect({ leader: election.isLeader, starts: duty.starts, stops: duty.stops }).toEqual({ leader: true, starts: 1, stops: 0 });
    await vi.advanceTimersByTimeAsync(1000); // token 2: our lease had lapsed and we took it again
    expect({ leader: election.isLeader, starts: duty.starts, stops: duty.stops }).toEqual({ leader: true, starts: 2, stops: 1 });
    await vi.advanceTimersByTimeAsync(1000);
    expect({ leader: election.isLeader, starts: duty.starts, stops: duty.stops }).toEqual({ leader: false, starts: 2, stops: 2 });
    await election.stop();
  });

  it('a lease that comes back already spent (the process was frozen meanwhile) is no lease', async () => {
    const duty = recordingDuty();
    const election = new LeaderElection(deps(scriptedLeadership([(now) => ({ token: 1, validUntil: now - 1 })])), [duty], 1000);
    election.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(election.isLeader).toBe(false);
    expect(duty.starts).toBe(0);
    await election.stop();
  });
});
