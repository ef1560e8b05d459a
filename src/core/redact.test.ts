import { describe, expect, it } from 'vitest';
import { databasePasswords, redact, withoutPassword } from './redact.js';

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
  });
});

describe('databasePasswords', () => {
  it('finds the password of the user info and of a password= parameter, as written and decoded', () => {
    expect(databasePasswords('postgres://u:p%40ss@h/d')).toEqual(['p%40ss', 'p@ss']);
    expect(databasePasswords('postgres://u@h/d?password=s3cr3t')).toEqual(['s3cr3t']);
    expect(databasePasswords('postgres://u:bad%zz@h/d')).toEqual(['bad%zz']);
    expect(databasePasswords('postgres://u@h/d')).toEqual([]);
    expect(databasePasswords('.maestro/maestro.db')).toEqual([]);
  });
});

describe('redact', () => {
  it('replaces each secret, also as JSON escapes it', () => {
    expect(redact('connect to s3cr3t and s3cr3t', ['s3cr3t'])).toBe('connect to *** and ***');
    expect(redact(JSON.stringify({ msg: 'pa"ss' }), ['pa"ss'])).toBe('{"msg":"***"}');
    expect(redact('nothing here', [])).toBe('nothing here');
  });
});
