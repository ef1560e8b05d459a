import { describe, expect, it } from 'vitest';
import { padVisible, truncate, visibleWidth } from './text-width.js';

describe('visibleWidth', () => {
  it('counts what a terminal shows: no colour codes, wide characters as two, combining marks as none', () => {
    expect(visibleWidth('login')).toBe(5);
    expect(visibleWidth('\x1b[1;33mwaiting\x1b[0m')).toBe(7);
    expect(visibleWidth('登录')).toBe(4);
    expect(visibleWidth('ok 🚀')).toBe(5);
    expect(visibleWidth('e\u0301te\u0301')).toBe(3);
  });
});

describe('truncate', () => {
  it('cuts to the width with …, never inside a character', () => {
    expect(truncate('login-page', 20)).toBe('login-page');
    expect(truncate('login-page', 10)).toBe('login-page');
    expect(truncate('login-page', 6)).toBe('login…');
    expect(truncate('登录页面', 5)).toBe('登录…');
    expect(visibleWidth(truncate('登录页面', 4))).toBeLessThanOrEqual(4);
    expect(truncate('abc', 1)).toBe('…');
    expect(truncate('abc', 0)).toBe('');
  });

  it('pads on what shows', () => {
    expect(padVisible('\x1b[32mok\x1b[0m', 4)).toBe('\x1b[32mok\x1b[0m  ');
    expect(padVisible('登录', 6)).toBe('登录  ');
  });
});
