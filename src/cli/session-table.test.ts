import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { newSessionRow } from '../core/sessions/session-records.js';
import type { Session } from '../domain/index.js';
import { prettySessions, type SessionListLayout } from './session-table.js';
import { shortIds } from './short-ids.js';
import { visibleWidth } from './text-width.js';

const NOW = Date.parse('2026-11-30T10:00:00Z');
const AT = new Date(NOW).toISOString();
const session = (id: string, patch: Partial<Session> = {}): Session => ({
  ...newSessionRow({ id, projectId: 'proj_a', featureRequest: '', phase: null, prdReference: null, taskIds: [] }, NOW),
  taskIds: [],
  ...patch,
});
const ended = (id: string, patch: Partial<Session>, exitCode: number | null): Session =>
  session(id, {
    completedAt: AT,
    agentState: 'exited',
    agentStateSince: AT,
    runtime: { kind: 'tmux', host: 'box', tmuxSession: null, pid: null, exitCode },
    ...patch,
  });

const waiting = session('sess_01JD3Z7Q6M8W2X4Y5Z6A7B8C9D', {
  name: 'login-page',
  status: 'implementing',
  phase: 'implement',
  agentState: 'waiting',
  agentStateSince: AT,
  waitingFor: { reason: 'permission', message: 'run npm test?' },
  lastActivityAt: new Date(NOW - 180_000).toISOString(),
  taskIds: ['task_01JD3Z7Q6M8W2X4Y5Z6A7B8C9T'],
  gitContext: { branch: 'maestro/login-page-4f2a', commit: null, repoRoot: null, isWorktree: true, worktreeName: null },
});
const working = session('sess_01JD40000000000000000000AA', { agentState: 'working', agentStateSince: AT });
const idle = session('sess_01JD50000000000000000000AA', { name: 'docs', agentState: 'idle', agentStateSince: AT });
const failed = ended('sess_01JD60000000000000000000AA', { name: 'fix-ci', status: 'failed', endReason: 'failed' }, 2);
const done = ended('sess_01JD70000000000000000000AA', { name: 'report', status: 'completed', endReason: 'completed' }, 0);
const ALL = [waiting, working, idle, failed, done];

const layout = (patch: Partial<SessionListLayout> = {}): SessionListLayout => ({
  projects: new Map([['proj_a', 'web']]),
  wide: false,
  width: 100,
  colour: false,
  now: NOW,
  ...patch,
});
const lines = (text: string) => text.split('\n');

describe('maestro session list, as a person reads it', () => {
  it('shows the agent state first, then the name, the project by name, status, activity and how it ended', () => {
    const [header, ...rows] = lines(prettySessions(ALL, layout()));
    expect(header).toMatch(/^STATE\s+NAME\s+PROJECT\s+STATUS\s+ACTIVITY\s+ENDED$/);
    expect(rows[0]).toMatch(/^waiting: permission\s+login-page\s+web\s+implementing\s+3m ago\s+-$/);
    // A name that only repeats the id (the default) shows as the start of the id, enough to take back.
    expect(rows[1]).toMatch(/^working\s+01JD4000\s+web\s+initializing\s+0s ago\s+-$/);
    expect(rows[2]).toMatch(/^idle\s+docs\s+web/);
    expect(rows[3]).toMatch(/^exited\s+fix-ci\s+web\s+failed\s+0s ago\s+failed \(exit 2\)$/);
    expect(rows[4]).toMatch(/^exited\s+report\s+web\s+completed\s+0s ago\s+completed \(exit 0\)$/);
    expect(prettySessions([], layout())).toBe('(none)');
  });

  it('shows the project id when the project is not known by name (deleted meanwhile)', () => {
    expect(lines(prettySessions([working], layout({ projects: new Map() })))[1]).toMatch(/\sproj_a\s/);
  });

  it('fits 100 columns with long names, cutting names with … and never the state', () => {
    const long = session('sess_01JD80000000000000000000AA', {
      name: 'implement-the-login-page-with-oauth-and-two-factor-authentication-and-tests',
      agentState: 'waiting',
      agentStateSince: AT,
      waitingFor: { reason: 'idle_prompt', message: '' },
      status: 'generating_report',
    });
    const projects = new Map([['proj_a', 'customer-facing-web-frontend-with-a-very-long-project-name']]);
    for (const width of [100, 80, 60]) {
      const text = prettySessions([long, ...ALL], layout({ projects, width }));
      expect(Math.max(...lines(text).map((l) => l.length)), `width ${width}`).toBeLessThanOrEqual(width);
      expect(text).toContain('waiting: idle_prompt');
      expect(text).toMatch(/imple\S*…/);
      expect(text).toMatch(/custo\S*…/);
      if (width === 100) expect(text).toMatch(/ implement-the-login-\S*… {2}customer-\S*… {2}generating_report /);
    }
    // On a terminal narrower than every column at its smallest, lines are still cut to fit.
    for (const width of [30, 12])
      expect(Math.max(...lines(prettySessions([long], layout({ projects, width }))).map((l) => l.length))).toBeLessThanOrEqual(
        width,
      );
  });

  it('counts wide characters as two columns', () => {
    const cjk = session('sess_01JD90000000000000000000AA', { name: '登录页面的实现'.repeat(10), agentState: 'working' });
    const text = prettySessions([cjk], layout({ width: 80 }));
    expect(Math.max(...lines(text).map(visibleWidth))).toBeLessThanOrEqual(80);
    expect(text).toContain('…');
  });

  it('--wide adds the full id, phase, agent, task ids, branch, host and created time, and cuts nothing', () => {
    const named = { ...working, name: 'x'.repeat(150) };
    const text = prettySessions([waiting, named, failed], layout({ wide: true }));
    const [header, first, second, third] = lines(text);
    expect(header).toMatch(
      /^STATE\s+ID\s+NAME\s+PROJECT\s+STATUS\s+PHASE\s+ROLE\s+PARENT\s+AGENT\s+TASKS\s+BRANCH\s+HOST\s+CREATED\s+LAST ACTIVITY\s+ENDED$/,
    );
    expect(first).toMatch(
      /^waiting: permission\s+sess_01JD3Z7Q6M8W2X4Y5Z6A7B8C9D\s+login-page\s+web\s+implementing\s+implement\s+worker\s+-\s+-\s+task_01JD3Z7Q6M8W2X4Y5Z6A7B8C9T\s+maestro\/login-page-4f2a\s+-\s+2026-11-30T10:00:00.000Z\s+3m ago\s+-$/,
    );
    expect(second).toContain(`sess_01JD40000000000000000000AA  ${'x'.repeat(150)}`);
    expect(third).toMatch(/sess_01JD60000000000000000000AA\s+fix-ci\s+web\s+failed\s.*\sbox\s.*failed \(exit 2\)$/);
    expect(text).not.toContain('…');
  });

  it('colours the states when asked: waiting bold yellow, working green, idle dim, a failure red, a success plain', () => {
    const coloured = prettySessions(ALL, layout({ colour: true }));
    const [, w, work, idleRow, fail, ok] = lines(coloured);
    const sgr = (code: string, text: string) => `\x1b[${code}m${text}\x1b[0m`;
    expect(w?.startsWith(sgr('1;33', 'waiting: permission'))).toBe(true);
    expect(work?.startsWith(sgr('32', 'working'))).toBe(true);
    expect(idleRow?.startsWith(sgr('2', 'idle'))).toBe(true);
    expect(fail?.startsWith(sgr('31', 'exited'))).toBe(true);
    expect(fail).toContain(sgr('31', 'failed'));
    expect(fail?.endsWith(sgr('31', 'failed (exit 2)'))).toBe(true);
    expect(ok).toMatch(/^exited\s/);
    expect(ok).not.toContain('\x1b[3');
    // The same layout as without colour: widths come from the text that shows.
    expect(stripVTControlCharacters(coloured)).toBe(prettySessions(ALL, layout()));
    expect(prettySessions(ALL, layout({ wide: true, colour: false }))).not.toContain('\x1b[');
  });
});

describe('shortIds', () => {
  it('cuts each id to the shortest start no other listed id shares, at least 8 characters, without sess_', () => {
    const short = shortIds(['sess_01JD3Z7Q6M8W2X4Y', 'sess_01JD3Z7Q6Mzzzzzz', 'sess_01JE0000', 'sess_abc']);
    expect([...short.values()]).toEqual(['01JD3Z7Q6M8', '01JD3Z7Q6Mz', '01JE0000', 'abc']);
  });
});
