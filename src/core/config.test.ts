import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULTS, ENV_VARS, resolveConfig, withoutPassword } from './config.js';

describe('resolveConfig', () => {
  it('uses the defaults of DESIGN.md when nothing is set', () => {
    expect(resolveConfig({}, {})).toEqual(DEFAULTS);
    expect(DEFAULTS).toMatchObject({
      host: '127.0.0.1',
      port: 7420,
      db: '.maestro/maestro.db',
      tmuxSocket: 'maestro',
      sessionTimeoutSecs: 3600,
      maxSessions: 100,
      cleanupIntervalSecs: 300,
      retentionSecs: 604_800,
    });
  });

  it('reads the environment, and flags win over it', () => {
    const env = { SESSION_TIMEOUT_SECS: '60', MAESTRO_PORT: '8000', MAESTRO_DB: '/tmp/x.db', SESSION_RETENTION_SECS: '0' };
    expect(resolveConfig({}, env)).toMatchObject({ sessionTimeoutSecs: 60, port: 8000, db: '/tmp/x.db', retentionSecs: 0 });
    expect(resolveConfig({ port: 9000, sessionTimeoutSecs: undefined }, env)).toMatchObject({
      port: 9000,
      sessionTimeoutSecs: 60,
    });
  });

  it('names the variable or option of a bad number', () => {
    expect(() => resolveConfig({}, { SESSION_MAX_CONCURRENT: 'lots' })).toThrow(
      'SESSION_MAX_CONCURRENT: expected a non-negative integer, got "lots"',
    );
    expect(() => resolveConfig({ port: -1 }, {})).toThrow('option port: expected a non-negative integer');
  });
});

describe('documented configuration', () => {
  const root = new URL('../../', import.meta.url);
  const read = (file: string) => readFileSync(new URL(file, root), 'utf8');

  it('.env.example lists every variable with its default', () => {
    const listed = new Map(
      read('.env.example')
        .split('\n')
        .map((line) => /^#?\s*([A-Z_]+)=(.*)$/.exec(line))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => [m[1] as string, m[2] as string]),
    );
    for (const key of Object.keys(ENV_VARS) as (keyof typeof ENV_VARS)[])
      expect(listed.get(ENV_VARS[key]), ENV_VARS[key]).toBe(String(DEFAULTS[key]));
  });

  it("the README's configuration table has a row for every variable", () => {
    const readme = read('README.md');
    for (const variable of Object.values(ENV_VARS)) expect(readme, variable).toContain(`| \`${variable}\` |`);
  });
});

describe('withoutPassword', () => {
  it('hides a database password wherever the URL is shown, and leaves the rest', () => {
    expect(withoutPassword('postgres://maestro:s3cr3t@db.internal:5432/maestro')).toBe(
      'postgres://maestro:***@db.internal:5432/maestro',
    );
    expect(withoutPassword('postgresql://u:p%40ss@h/d')).toBe('postgresql://u:***@h/d');
    expect(withoutPassword('postgres://maestro@db/maestro')).toBe('postgres://maestro@db/maestro');
    expect(withoutPassword('.maestro/maestro.db')).toBe('.maestro/maestro.db');
  });
});
