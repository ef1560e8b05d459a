import { describe, expect, it } from 'vitest';
import { withoutPassword } from './redact.js';

describe('withoutPassword', () => {
  it('hides a database password wherever the URL is shown, and leaves the rest', () => {
    expect(withoutPassword('postgres://maestro:s3cr3t@db.internal:5432/maestro')).toBe(
      'postgres://maestro:***@db.internal:5432/maestro',
    );
    expect(withoutPassword('postgresql://u:p%40ss@h/d')).toBe('postgresql://u:***@h/d');
    expect(withoutPassword('postgres://maestro@db/maestro')).toBe('postgres://maestro@db/maestro');
    expect(withoutPassword('postgres://u@h/d?sslmode=require&password=s3cr3t&x=1')).toBe(
      'postgres://u@h/d?sslmode=require&password=***&x=1',
    );
    expect(withoutPassword('.maestro/maestro.db')).toBe('.maestro/maestro.db');
    expect(withoutPassword('http://127.0.0.1:7420/api/health')).toBe('http://127.0.0.1:7420/api/health');
  });

  it('hides every one in a log line: URLs in messages and fields, password fields; the word itself stays', () => {
    const line = JSON.stringify({
      msg: 'cannot reach postgres://maestro:maestro@db:5432/maestro, retrying',
      err: { input: 'postgres://u:pa:ss@h/d?password=x' },
      options: { user: 'u', password: 'pa\\"ss' },
    });
    expect(withoutPassword(line)).toBe(
      JSON.stringify({
        msg: 'cannot reach postgres://maestro:***@db:5432/maestro, retrying',
        err: { input: 'postgres://u:***@h/d?password=***' },
        options: { user: 'u', password: '***' },
      }),
    );
  });
});
