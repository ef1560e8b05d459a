import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { MaestroApiError } from '../client/index.js';
import { describeError, flagOf } from './program.js';

const URL = 'http://127.0.0.1:7420';

describe('describeError (what the CLI prints on stderr)', () => {
  it('names every failing field once, by the flag that sets it', () => {
    const err = new MaestroApiError(400, 'validation_failed', 'body.name: expected a non-empty string (and 2 more)', {
      issues: [
        { path: 'body.name', message: 'expected a non-empty string' },
        { path: 'body.priority', message: 'expected an integer' },
        { path: 'body.statistics.totalTasks', message: 'expected a number' },
      ],
    });
    expect(describeError(err, URL)).toBe(
      'error: 3 invalid values\n  --name: expected a non-empty string\n  --priority: expected an integer\n  statistics.totalTasks: expected a number',
    );
    const one = new MaestroApiError(400, 'validation_failed', 'body.projectId: project proj_x does not exist', {
      issues: [{ path: 'body.projectId', message: 'project proj_x does not exist' }],
    });
    expect(describeError(one, URL)).toBe('error: --project: project proj_x does not exist');
    expect(flagOf('body.env.A B')).toBe('--env A B');
    expect(flagOf('query.limit')).toBe('--limit');
    expect(describeError(new MaestroApiError(404, 'not_found', 'session sess_x not found', {}), URL)).toBe(
      'error (404 not_found): session sess_x not found',
    );
  });

  it('says the server cannot be reached, naming the URL', async () => {
    // A port that was just free: nothing listens there.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as { port: number };
    await new Promise((resolve) => probe.close(resolve));
    const refused = await fetch(`http://127.0.0.1:${port}/`).catch((e: unknown) => e);
    expect(describeError(refused, URL)).toBe(`error: cannot reach Maestro at ${URL}; is \`maestro serve\` running?`);
  });

  it('says a port is taken and how to choose another', async () => {
    const first = createServer();
    await new Promise<void>((resolve) => first.listen(0, '127.0.0.1', resolve));
    const { port } = first.address() as { port: number };
    const second = createServer();
    const err = await new Promise<unknown>((resolve) => {
      second.once('error', resolve);
      second.listen(port, '127.0.0.1');
    });
    first.close();
    expect(describeError(err, URL)).toBe(
      `error: 127.0.0.1:${port} is already in use (another maestro serve?); choose another port with --port or MAESTRO_PORT`,
    );
  });

  it('prints any other error by its message', () => {
    expect(describeError(new Error('hooks install: unknown agent "x"'), URL)).toBe('error: hooks install: unknown agent "x"');
    expect(describeError('plain', URL)).toBe('error: plain');
  });
});
