import { describe, expect, it } from 'vitest';
import { paint, shouldColour } from './colour.js';
import { prettyDiff } from './output.js';

const TTY = { isTTY: true };
const PIPE = { isTTY: false };

describe('shouldColour (one decision for every command)', () => {
  it('colours a terminal, never a pipe or a file', () => {
    expect(shouldColour(TTY, {})).toBe(true);
    expect(shouldColour(PIPE, {})).toBe(false);
    expect(shouldColour({}, {})).toBe(false);
    expect(shouldColour(TTY, { TERM: 'dumb' })).toBe(false);
  });

  it('turns colour off with NO_COLOR (any non-empty value)', () => {
    expect(shouldColour(TTY, { NO_COLOR: '1' })).toBe(false);
    expect(shouldColour(TTY, { NO_COLOR: '' })).toBe(true);
  });

  it('forces colour on with FORCE_COLOR, even into a pipe and over NO_COLOR, and off with FORCE_COLOR=0', () => {
    expect(shouldColour(PIPE, { FORCE_COLOR: '1' })).toBe(true);
    expect(shouldColour(PIPE, { FORCE_COLOR: '' })).toBe(true);
    expect(shouldColour(PIPE, { FORCE_COLOR: '1', NO_COLOR: '1' })).toBe(true);
    expect(shouldColour(TTY, { FORCE_COLOR: '0' })).toBe(false);
    expect(shouldColour(TTY, { FORCE_COLOR: 'false' })).toBe(false);
  });

  it('paints only when told to, and leaves empty text alone', () => {
    expect(paint('ok', 'green', true)).toBe('\x1b[32mok\x1b[0m');
    expect(paint('ok', 'green', false)).toBe('ok');
    expect(paint('ok', undefined, true)).toBe('ok');
    expect(paint('', 'red', true)).toBe('');
  });

  it('is what session diff colours by', () => {
    const diff = {
      base: 'abc',
      files: [
        {
          path: 'a.ts',
          oldPath: null,
          status: 'modified',
          insertions: 1,
          deletions: 0,
          truncated: false,
          hunks: '@@ -1 +1 @@\n+x',
        },
      ],
      totals: { files: 1, insertions: 1, deletions: 0 },
      truncated: false,
    } as unknown as Parameters<typeof prettyDiff>[0];
    expect(prettyDiff(diff, shouldColour(TTY, {}))).toContain('\x1b[32m+x\x1b[0m');
    expect(prettyDiff(diff, shouldColour(TTY, { NO_COLOR: '1' }))).not.toContain('\x1b[');
  });
});
