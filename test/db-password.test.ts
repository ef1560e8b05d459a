import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../src/core/config.js';
import { createMaestro } from '../src/maestro.js';
import { BIN, Cleanup, quietLog, startServer, tempDir, tmuxSocket } from './helpers.js';
import { pgAdmin as admin, cleanUpThenDrop, pgSchemaUrl } from './pg.js';

/** A password no other text here contains, so finding it anywhere is a leak. */
const PASSWORD = `pw-${randomBytes(6).toString('hex')}`;

describe('the database password never shows (issue #27.1)', () => {
  const cleanup = new Cleanup();
  afterAll(() => cleanup.run());

  it('not when start-up fails: neither what serve prints nor the error createMaestro throws', async () => {
    const dir = tempDir(cleanup);
    const urls = [
      `postgres://user:${PASSWORD}@127.0.0.1:1/db`, // refused
      `postgres://user:${PASSWORD}@127.0.0.1:notaport/db`, // Node's Invalid URL error carries the URL as `input`
      `postgres://user@127.0.0.1:1/db?password=${PASSWORD}`,
    ];
    for (const db of urls) {
      const run = await execa(process.execPath, [BIN, 'serve', '--port', '0', '--db', db, '--log-format', 'json'], {
        reject: false,
        cwd: dir,
        env: { MAESTRO_TMUX_SOCKET: `maestro-test-${process.pid}-unused` },
      });
      expect(run.exitCode, db).not.toBe(0);
      expect(`${run.stdout}${run.stderr}`, db).not.toContain(PASSWORD);
      const thrown = await createMaestro(
        { ...DEFAULTS, port: 0, db, tmuxSocket: tmuxSocket(cleanup), logDir: dir, logLevel: 'silent' },
        { log: quietLog() },
      ).then(
        async (m) => {
          await m.close();
          return undefined;
        },
        (err: unknown) => err,
      );
      expect(thrown, db).toBeInstanceOf(Error);
      expect(inspect(thrown, { showHidden: true, depth: 5 }), db).not.toContain(PASSWORD);
    }
  });

  it("not in the server's log lines, whatever is logged; the word itself stays readable", async () => {
    // The logger blanks out passwords by their shape (a URL's, a password= parameter, a JSON field)
    // in every line, a message, a field, an error a driver built; not by value, so a password that
    // is also a word ("maestro") does not vanish from every message.
    const script = fileURLToPath(new URL('../src/log.ts', import.meta.url));
    const code = `
      const { createLogger } = await import(${JSON.stringify(script)});
      const [format, password] = process.argv.slice(1);
      const url = 'postgres://maestro:' + password + '@db:5432/maestro';
      const log = createLogger('info', format, false);
      log.error({ err: Object.assign(new Error('cannot reach ' + url), { input: url }) }, 'failed');
      log.info({ url: url + '?password=' + password, options: { password } }, 'said ' + url);
    `;
    for (const format of ['json', 'pretty']) {
      const run = await execa(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code, format, PASSWORD]);
      expect(run.stdout).toContain('failed');
      expect(run.stdout).toContain('postgres://maestro:***@db:5432/maestro');
      expect(run.stdout, format).not.toContain(PASSWORD);
    }
  });
});

const schema = `maestro_password_${process.pid}`;
const role = `maestro_password_${process.pid}`;
const db = (await pgSchemaUrl(schema, 'the database password tests on PostgreSQL')) ?? '';

describe.skipIf(db === '')('a PostgreSQL node with a password (issue #27.1)', () => {
  const cleanup = new Cleanup();
  afterAll(() => cleanUpThenDrop(cleanup, schema, `DROP OWNED BY ${role}`, `DROP ROLE IF EXISTS ${role}`));

  it("shows it neither in the log (the 'maestro listening' line included) nor in GET /api/health", async () => {
    expect(await admin(`CREATE ROLE ${role} LOGIN PASSWORD '${PASSWORD}'`)).toBe(true);
    expect(await admin(`GRANT ALL ON SCHEMA ${schema} TO ${role}`)).toBe(true);
    // Both places a URL may carry the password: its user info, and a `password=` parameter.
    const inUserInfo = new URL(db); // with the schema's search_path
    inUserInfo.username = role;
    inUserInfo.password = PASSWORD;
    const inParameter = new URL(db);
    inParameter.username = role;
    inParameter.password = '';
    inParameter.searchParams.set('password', PASSWORD);
    for (const url of [inUserInfo, inParameter]) {
      const server = await startServer(cleanup, [
        '--port',
        '0',
        '--db',
        url.toString(),
        '--tmux-socket',
        tmuxSocket(cleanup),
        '--log-level',
        'debug',
        '--log-format',
        'json',
      ]);
      const health = await (await fetch(`${server.url}/api/health`)).text();
      expect(health).toContain('"engine":"postgres"');
      expect(health).not.toContain(PASSWORD);
      const listening = server.logLines.find((l) => l.includes('maestro listening')) ?? '';
      expect(listening).toContain('***');
      server.child.kill('SIGTERM');
      await server.exited;
      expect(server.logLines.join('\n'), url.toString()).not.toContain(PASSWORD);
    }
  });
});
