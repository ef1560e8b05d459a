import { describe, expect, it } from 'vitest';
import type { SessionSummary, Task, TimelineEntry } from '../src/client/index.js';
import { exact } from '../web/src/format.js';
import { pick, timelineData, timelineRows, timelineSpan } from '../web/src/task-timeline-rows.js';

const T0 = Date.parse('2026-05-01T10:00:00.000Z');
const iso = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();
const entry = (
  minutes: number,
  type: TimelineEntry['type'],
  sessionId?: string,
  data?: Record<string, unknown>,
): TimelineEntry => ({
  id: `evt_${type}_${minutes}`,
  type,
  timestamp: iso(minutes),
  ...(sessionId ? { sessionId } : {}),
  ...(data ? { data } : {}),
});
const task = (id: string, title: string, created: number, sessionIds: string[], timeline: TimelineEntry[]): Task =>
  ({ id, title, createdAt: iso(created), sessionIds, timeline: [entry(created, 'created'), ...timeline] }) as unknown as Task;
const session = (id: string, from: number, to?: number, endReason?: string): SessionSummary =>
  ({
    id,
    name: `agent-${id}`,
    createdAt: iso(from),
    completedAt: to === undefined ? null : iso(to),
    endReason: endReason ?? null,
  }) as SessionSummary;

describe('the per-task timeline’s rows', () => {
  const sessions = new Map([
    ['s1', session('s1', 1, 10, 'completed')],
    ['s2', session('s2', 12)],
  ]);
  const tasks = [
    task(
      'task_old',
      'Old task',
      0,
      ['s1'],
      [
        entry(1, 'session_started', 's1'),
        entry(1, 'status_changed', undefined, { from: 'todo', to: 'in_progress' }),
        entry(10, 'session_ended', 's1', { reason: 'completed' }),
        entry(11, 'note', undefined, { message: 'looks fine' }),
      ],
    ),
    task('task_live', 'Live task', 5, ['s2', 'gone'], [entry(12, 'session_started', 's2')]),
    task('task_idle', 'Idle task', 2, [], []),
  ];
  const now = T0 + 20 * 60_000;
  const rows = timelineRows(tasks, sessions, now);

  it('puts the most recently active first (a live session is now), with bars for the sessions the page holds and the entries in words', () => {
    expect(rows.map((r) => r.title)).toEqual(['Live task', 'Old task', 'Idle task']);
    expect(rows[0]?.bars).toEqual([
      { from: T0 + 12 * 60_000, to: now, state: 'live', what: expect.stringContaining('agent-s2: live since') },
    ]);
    expect(rows[1]?.bars[0]).toMatchObject({ state: 'done', what: expect.stringContaining('agent-s1: completed') });
    expect(rows[1]?.marks.map((m) => [m.kind, m.what])).toEqual([
      ['status', 'task created'],
      ['session', 'session agent-s1 started'],
      ['status', 'task status todo → in progress'],
      ['session', 'session agent-s1 ended: completed'],
      ['note', 'note: looks fine'],
    ]);
    expect(timelineRows(tasks, sessions, now, 2)).toHaveLength(2);
  });

  it('spans from the first thing to now (and a little more), and gives each mark its row’s place (the first row on top) in its kind’s series', () => {
    const span = timelineSpan(rows, now);
    expect(span).toEqual([T0 - 24_000, now + 24_000]); // 20 minutes and 2% of it each side
    const [xs, status, sessionMarks, finished, notes] = timelineData(rows, span);
    expect(xs[0]).toBe(span[0] / 1000);
    expect(xs.at(-1)).toBe(span[1] / 1000);
    expect([...xs].sort((a, b) => a - b)).toEqual(xs);
    const count = (s: (number | null)[] | undefined) => s?.filter((v) => v !== null).length;
    expect([count(status), count(sessionMarks), count(finished), count(notes)]).toEqual([4, 3, 0, 1]);
    // Live task's start (row 0, on top: place 2); Idle task's creation (row 2: place 0).
    expect(sessionMarks?.[xs.indexOf((T0 + 12 * 60_000) / 1000)]).toBe(2);
    expect(status?.[xs.indexOf((T0 + 2 * 60_000) / 1000)]).toBe(0);
  });

  it('reads out the marks within the slack (entries made together all show), else the bar under the pointer, else nothing', () => {
    const old = rows[1] as (typeof rows)[number];
    expect(pick(old, T0 + 10.8 * 60_000, 30_000)).toEqual([`${exact(iso(11))} · note: looks fine`]);
    expect(pick(old, T0 + 1.2 * 60_000, 30_000)).toEqual([
      `${exact(iso(1))} · session agent-s1 started`,
      `${exact(iso(1))} · task status todo → in progress`,
    ]);
    expect(pick(old, T0 + 5 * 60_000, 1000)).toEqual([expect.stringContaining('agent-s1: completed')]);
    expect(pick(old, T0 + 15 * 60_000, 1000)).toEqual([]);
  });
});
