import { describe, expect, it } from 'vitest';
import type { Session } from '../../src/client/index.js';
import { newSessionRow } from '../../src/core/sessions/session-records.js';
import { prune, RECENT_ENDED } from './live.js';

const T0 = Date.parse('2026-05-01T00:00:00Z');
const session = (i: number, endedSecs: number | null): Session => ({
  ...newSessionRow(
    { id: `sess_${i}`, projectId: 'proj_x', featureRequest: '', phase: null, prdReference: null, taskIds: [] },
    T0 + i,
  ),
  taskIds: [],
  ...(endedSecs === null
    ? {}
    : {
        status: 'completed' as const,
        completedAt: new Date(T0 + endedSecs * 1000).toISOString(),
        endReason: 'completed' as const,
      }),
});

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
