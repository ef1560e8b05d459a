import { describe, expect, it } from 'vitest';
import { chainCommands, escapeTmuxArg } from './tmux-args.js';

describe('tmux argument escaping', () => {
  it('escapes a trailing semicolon so tmux does not read it as a command separator', () => {
    expect(escapeTmuxArg(';')).toBe('\\;');
    expect(escapeTmuxArg('a;')).toBe('a\\;');
    expect(escapeTmuxArg('a\\;')).toBe('a\\\\;');
    expect(escapeTmuxArg('a;b')).toBe('a;b');
    expect(escapeTmuxArg('plain')).toBe('plain');
  });

  it('chains commands with separate ";" arguments', () => {
    expect(chainCommands(['a', '1'], ['b'], ['c', '2'])).toEqual(['a', '1', ';', 'b', ';', 'c', '2']);
  });
});
