import { describe, expect, it } from 'vitest';
import { newSessionRow } from '../core/sessions/session-records.js';
import type { Session } from '../domain/index.js';
import { prettyDiff, prettySession } from './output.js';

const NOW = Date.parse('2026-11-30T10:00:00Z');
const AT = new Date(NOW).toISOString();
const session = (id: string, patch: Partial<Session> = {}): Session => ({
  ...newSessionRow({ id, projectId: 'proj_a', featureRequest: '', phase: null, prdReference: null, taskIds: [] }, NOW),
  taskIds: [],
  ...patch,
});

/** The value on the line of `key` in `maestro session get`'s output (the lines under it included). */
const field = (text: string, key: string): string | undefined =>
  text
    .split('\n')
    .find((l) => l.startsWith(`${key} `))
    ?.slice(key.length)
    .trim();

describe('maestro session get, as a person reads it', () => {
  const waiting = session('sess_wait', {
    name: 'login-page',
    agentState: 'waiting',
    agentStateSince: AT,
    waitingFor: { reason: 'permission', message: 'Run npm test?', choices: ['Yes', 'No'] },
    launch: { command: ['claude', 'build the login page'], cwd: '/src/web', agent: 'claude', restartOf: null },
    statistics: {
      ...session('sess_x').statistics,
      tokens: { input: 1_234_567, output: 34_000, cacheRead: 5_600_000, cacheWrite: 78_000 },
      model: 'claude-sonnet-4-5',
      costUsd: 1.5,
    },
  });

  it('names its project next to the id, and shows its command, agent, question and tokens', () => {
    const text = prettySession(waiting, 'web');
    expect(field(text, 'project')).toBe('web (proj_a)');
    expect(field(text, 'name')).toBe('login-page');
    expect(field(text, 'state')).toMatch(/^waiting: permission since 2026-11-30T10:00:00.000Z \(\d+[smhd] ago\)$/);
    expect(text).toContain('waiting for    Run npm test?\n                 1. Yes\n                 2. No');
    expect(field(text, 'command')).toBe("claude 'build the login page'");
    expect(field(text, 'agent')).toBe('claude');
    expect(field(text, 'directory')).toBe('/src/web');
    expect(field(text, 'tokens')).toBe('1.2M in, 34.0k out, 5.6M cache read, 78.0k cache write (claude-sonnet-4-5)');
    expect(field(text, 'cost')).toBe('$1.5000 (estimated)');
  });

  it('shows the project id alone when its name is not known, and - for what a record lacks', () => {
    const text = prettySession(session('sess_plain'));
    expect(field(text, 'project')).toBe('proj_a');
    for (const key of ['state', 'command', 'agent', 'tokens', 'cost', 'ended']) expect(field(text, key), key).toBe('-');
  });
});

describe('prettyDiff', () => {
  it('counts as git does: one file, one insertion, no deletions', () => {
    const file = {
      path: 'a.txt',
      oldPath: null,
      status: 'added' as const,
      insertions: 1,
      deletions: 0,
      hunks: null,
      truncated: false,
    };
    const text = prettyDiff(
      {
        base: 'abcdef1234567890',
        directory: '/r',
        files: [file],
        totals: { files: 1, insertions: 1, deletions: 0 },
        truncated: false,
      },
      false,
    );
    expect(text).toContain('1 file changed, 1 insertion(+), 0 deletions(-) since abcdef123456');
  });
});
