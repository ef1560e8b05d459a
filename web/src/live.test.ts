import { describe, expect, it } from 'vitest';
import type { Session } from '../../src/client/index.js';
import { prune, RECENT_ENDED } from './live.js';

const T0 = Date.parse('2026-05-01T00:00:00Z');
/** A session as far as `prune` reads one (its id and when it ended); web/ imports only the client, so no core builder. */
const session = (i: number, endedSecs: number | null): Session =>
  ({
    id: `sess_${i}`,
    status: endedSecs === null ? 'running' : 'completed',
    createdAt: new Date(T0 + i).toISOString(),
    completedAt: endedSecs === null ? null : new Date(T0 + endedSecs * 1000).toISOString(),
  }) as Session;

describe('dashboard cache bound', () => {
  it('keeps every active session and only the most recently ended ones', () => {
    const map = new Map<string, Session>();
    for (let i = 0; i < 50; i++) map.set(`sess_${i}`, session(i, i < 40 ? i : null)); // 40 ended, 10 active
    const kept = prune(map);
    const ended = [...kept.values()].filter((s) => s.completedAt);
    expect(ended).toHaveLength(RECENT_ENDED);
    expect(ended.map((s) => s.id).sort()).toEqual(
      Array.from({ length: RECENT_ENDED }, (_, k) => `sess_${40 - RECENT_ENDED + k}`).sort(),
    );
    expect([...kept.values()].filter((s) => !s.completedAt)).toHaveLength(10);
  });
});
