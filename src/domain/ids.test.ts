import { describe, expect, it } from 'vitest';
import { isId, MAX_ID_LENGTH, newId } from './ids.js';

describe('ids', () => {
  it('prefixes ids with their kind and sorts them by creation time', () => {
    const ids = Array.from({ length: 50 }, () => newId('session'));
    for (const id of ids) expect(id).toMatch(/^sess_[0-9A-Z]{26}$/);
    expect([...ids].sort()).toEqual(ids);
    expect(newId('project')).toMatch(/^proj_/);
    expect(newId('task')).toMatch(/^task_/);
    expect(newId('event')).toMatch(/^evt_/);
  });

  it('accepts client-given ids with the right prefix and safe characters only', () => {
    expect(isId('session', 'sess_my-agent_1')).toBe(true);
    expect(isId('session', 'task_abc')).toBe(false);
    expect(isId('session', 'sess_')).toBe(false);
    expect(isId('session', 'sess_a;rm -rf')).toBe(false);
    expect(isId('session', 'sess_a.b')).toBe(false);
    expect(isId('session', `sess_${'a'.repeat(MAX_ID_LENGTH - 5)}`)).toBe(true);
    expect(isId('session', `sess_${'a'.repeat(MAX_ID_LENGTH - 4)}`)).toBe(false);
  });
});
