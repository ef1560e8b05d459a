import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AGENT_SCREENS, agentKindOf, bareLine, readScreen } from './index.js';

const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/screens/', import.meta.url));
const screenOf = (agent: string, state: string) => readFileSync(join(FIXTURES, agent, `${state}.txt`), 'utf8');

/**
 * What each recorded screen must read as (test/fixtures/agents/<agent>/README.md says how each was
 * reconstructed from the agent's shipped strings): the state, and for a waiting one the reason,
 * words of its question and its choices.
 */
const EXPECTED = {
  claude: {
    permission: {
      reason: 'permission',
      says: ['Bash command', 'npm test -- --run', 'Do you want to proceed?'],
      choices: ['Yes', "Yes, and don't ask again for npm test commands in /work/demo", 'No'],
    },
    question: {
      reason: 'question',
      says: ['Which test runner should I set up?'],
      choices: ['Vitest', 'Jest', 'Type something.', 'Chat about this'],
    },
  },
  codex: {
    permission: {
      reason: 'permission',
      says: ['Would you like to run the following command?', '$ npm test -- --run test/range.test.ts'],
      choices: [
        'Yes, just this once (y)',
        "Yes, and don't ask again for this command in this session (a)",
        'No, and tell Codex what to do differently (esc)',
      ],
    },
    question: {
      reason: 'question',
      says: ['Which test runner should I set up?'],
      choices: ['Vitest', 'Jest', 'None of the above'],
    },
  },
  gemini: {
    permission: {
      reason: 'permission',
      says: ['Allow execution of [Shell]?'],
      choices: ['Allow once', 'Allow for this session', 'No, suggest changes (esc)'],
    },
    question: {
      reason: 'question',
      says: ['Which test runner should I set up?'],
      choices: ['Vitest', 'Jest', 'Enter a custom value'],
    },
  },
  aider: {
    permission: {
      reason: 'permission',
      says: ['npm test -- --run test/range.test.ts', 'Run shell command?'],
      choices: ['Yes', 'No', "Don't ask again"],
    },
    question: { reason: 'question', says: ['Add file to the chat?'], choices: ['Yes', 'No', "Don't ask again"] },
  },
  opencode: {
    permission: {
      reason: 'permission',
      says: ['△ Permission required', '$ npm test -- --run test/range.test.ts'],
      choices: ['Allow once', 'Allow always', 'Reject'],
    },
    question: {
      reason: 'question',
      says: ['Which test runner should I set up?'],
      choices: ['Vitest (Recommended)', 'Jest', 'Type your own answer'],
    },
  },
} as const;

describe('agent screens (issue #18.3): every recorded fixture is read right', () => {
  for (const [agent, prompts] of Object.entries(EXPECTED)) {
    const screen = AGENT_SCREENS[agent as keyof typeof AGENT_SCREENS];
    for (const [state, expected] of Object.entries(prompts)) {
      it(`${agent} ${state}: waiting for ${expected.reason}, with its question and choices`, () => {
        const reading = readScreen(screen, screenOf(agent, state));
        expect(reading.state).toBe('waiting');
        if (reading.state !== 'waiting') return;
        expect(reading.waitingFor.reason).toBe(expected.reason);
        for (const words of expected.says) expect(reading.waitingFor.message).toContain(words);
        expect(reading.waitingFor.choices).toEqual(expected.choices);
      });
    }
    for (const state of ['working', 'idle'] as const) {
      it(`${agent} ${state}`, () => {
        expect(readScreen(screen, screenOf(agent, state))).toEqual({ state });
      });
    }
  }

  it('has a fixture for every agent and state it reads', () => {
    for (const agent of Object.keys(AGENT_SCREENS))
      for (const state of ['permission', 'question', 'idle', 'working'])
        expect(existsSync(join(FIXTURES, agent, `${state}.txt`)), `${agent}/${state}`).toBe(true);
  });

  it('reads a plain shell as nothing known, and a screen whose bottom shows work as working', () => {
    expect(readScreen(AGENT_SCREENS.claude, '$ ls\nREADME.md\n$ ')).toEqual({ state: 'unknown' });
    const answered = `${screenOf('claude', 'permission')}\n${screenOf('claude', 'working')}`;
    // The dialog is still in the scrollback, but the bottom of the screen shows work.
    expect(readScreen(AGENT_SCREENS.claude, answered.split('\n').slice(-18)).state).toBe('working');
  });

  it('strips the borders TUIs frame prompts with', () => {
    expect(bareLine('│ ● 1. Allow once     │')).toBe('● 1. Allow once');
    expect(bareLine('│ │ npm test │ │')).toBe('npm test');
    expect(bareLine('┃   Allow once   Allow always   Reject')).toBe('Allow once   Allow always   Reject');
  });

  it('picks choices with the keys each agent expects', () => {
    expect(AGENT_SCREENS.claude.choiceKeys(1, ['Yes', 'Yes, and…', 'No'], 'permission')).toEqual(['2']);
    expect(AGENT_SCREENS.codex.choiceKeys(1, EXPECTED.codex.permission.choices, 'permission')).toEqual(['a']);
    expect(AGENT_SCREENS.codex.choiceKeys(2, EXPECTED.codex.permission.choices, 'permission')).toEqual(['Escape']);
    expect(AGENT_SCREENS.codex.choiceKeys(2, ['a', 'b', 'c'], 'question')).toEqual(['Down', 'Down', 'Enter']);
    expect(AGENT_SCREENS.aider.choiceKeys(2, EXPECTED.aider.permission.choices, 'permission')).toEqual(['d', 'Enter']);
    expect(AGENT_SCREENS.opencode.choiceKeys(2, ['Allow once', 'Allow always', 'Reject'], 'permission')).toEqual([
      'Right',
      'Right',
      'Enter',
    ]);
  });
});

describe('agent kind from the command (issue #18.3)', () => {
  it.each([
    [['claude'], 'claude'],
    [['/usr/local/bin/claude', '--continue'], 'claude'],
    [['npx', '-y', '@anthropic-ai/claude-code@2.1.197'], 'claude'],
    [['codex', 'exec', 'fix it'], 'codex'],
    [['env', 'FOO=1', 'gemini'], 'gemini'],
    [['aider', '--yes-always'], 'aider'],
    [['opencode'], 'opencode'],
    [['bash', '-c', 'claude'], 'generic'],
    [['node', 'server.js'], 'generic'],
    [['sleep', '30'], 'generic'],
  ] as const)('%j → %s', (command, kind) => {
    expect(agentKindOf(command)).toBe(kind);
  });
});
