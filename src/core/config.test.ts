import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULTS, DEPRECATED_NAMES, deprecatedNamesUsed, ENV_VARS, resolveConfig } from './config.js';

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

  it('reads a deprecated name for the option it became; the current name wins at each level', () => {
    const old = 'http://old.example:7420';
    const current = 'http://new.example:7420';
    expect(resolveConfig({}, { MAESTRO_PUBLIC_URL: old }).advertiseUrl).toBe(old);
    expect(resolveConfig({ publicUrl: old }, {}).advertiseUrl).toBe(old);
    expect(resolveConfig({}, { MAESTRO_PUBLIC_URL: old, MAESTRO_ADVERTISE_URL: current }).advertiseUrl).toBe(current);
    expect(resolveConfig({ publicUrl: old, advertiseUrl: current }, {}).advertiseUrl).toBe(current);
    // Flags still win over the environment, whichever name each uses.
    expect(resolveConfig({ publicUrl: old }, { MAESTRO_ADVERTISE_URL: current }).advertiseUrl).toBe(old);
    // An empty variable counts as unset, so it does not hide the other name.
    expect(resolveConfig({}, { MAESTRO_ADVERTISE_URL: '', MAESTRO_PUBLIC_URL: old }).advertiseUrl).toBe(old);
    expect(resolveConfig({}, {})).not.toHaveProperty('publicUrl');
  });

  it('says which deprecated names were given, with their replacements', () => {
    expect(deprecatedNamesUsed({}, {})).toEqual([]);
    expect(deprecatedNamesUsed({ advertiseUrl: 'x' }, { MAESTRO_ADVERTISE_URL: 'x', MAESTRO_PUBLIC_URL: '' })).toEqual([]);
    expect(deprecatedNamesUsed({ publicUrl: 'x' }, { MAESTRO_PUBLIC_URL: 'x' })).toEqual([
      'MAESTRO_PUBLIC_URL is deprecated: use MAESTRO_ADVERTISE_URL',
      '--public-url is deprecated: use --advertise-url',
    ]);
    // Each old name stands for an option that exists, and is not a current name itself.
    for (const { key, env, flag } of DEPRECATED_NAMES) {
      expect(DEFAULTS).toHaveProperty(key);
      expect(Object.values(ENV_VARS)).not.toContain(env);
      expect(DEFAULTS).not.toHaveProperty(flag);
    }
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
