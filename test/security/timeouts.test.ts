import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { BODY_LIMIT_BYTES, buildApp, HTTP_TIMEOUTS } from '../../src/server/app.js';
import { accessPolicy } from '../../src/server/auth.js';
import { Cleanup, quietLog, testMaestro, until } from '../helpers.js';

/** Short deadlines, so the test waits on the server's timers for well under a second each. */
const SHORT = { headersMs: 300, requestMs: 600, idleMs: 400 };

/** A raw connection to `port` that records whether the server closed it, and what it sent. */
function open(port: number): { socket: Socket; closed: () => boolean; received: () => string } {
  const socket = connect(port, '127.0.0.1');
  let closed = false;
  let received = '';
  socket.on('data', (chunk) => {
    received += chunk.toString();
  });
  socket.on('error', () => undefined);
  socket.on('close', () => {
    closed = true;
  });
  return { socket, closed: () => closed, received: () => received };
}

describe('slow or stalled clients are cut (issue #16.6)', () => {
  let cleanup: Cleanup;
  afterEach(() => cleanup.run());

  async function server() {
    const m = await testMaestro(cleanup);
    const app = await buildApp(m.services, quietLog(), accessPolicy('127.0.0.1', '', '', ''), SHORT);
    cleanup.add(() => app.close());
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    return address.port;
  }

  it('has deadlines by default: headers 10 s, a whole request 60 s, an idle connection 60 s', () => {
    cleanup = new Cleanup();
    expect(HTTP_TIMEOUTS).toEqual({ headersMs: 10_000, requestMs: 60_000, idleMs: 60_000 });
  });

  it('closes silent connections, stalled bodies and idle keep-alive connections', async () => {
    cleanup = new Cleanup();
    const port = await server();
    const silent = Array.from({ length: 20 }, () => open(port));
    const stalled = Array.from({ length: 20 }, () => {
      const c = open(port);
      c.socket.write(
        'POST /api/projects HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"na',
      );
      return c;
    });
    const idle = open(port);
    idle.socket.write('GET /api/health HTTP/1.1\r\nHost: localhost\r\n\r\n');
    for (const s of [...silent, ...stalled]) cleanup.add(() => s.socket.destroy());
    cleanup.add(() => idle.socket.destroy());
    await until(() => [...silent, ...stalled, idle].every((c) => c.closed()), 5000, 'every slow connection closed');
    expect(idle.received()).toContain('HTTP/1.1 200');
  });

  it('leaves an idle event stream open past the idle deadline', async () => {
    cleanup = new Cleanup();
    const port = await server();
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api/events`);
    cleanup.add(() => ws.terminate());
    let closed = false;
    ws.on('close', () => {
      closed = true;
    });
    await new Promise((resolve, reject) => {
      ws.on('open', resolve);
      ws.on('error', reject);
    });
    // A plain connection opened now is cut at its idle deadline; the stream opened before must outlive it.
    const probe = open(port);
    probe.socket.write('GET /api/health HTTP/1.1\r\nHost: localhost\r\n\r\n');
    await until(() => probe.closed(), 5000, 'the plain connection closed');
    expect(closed).toBe(false);
    expect(ws.readyState).toBe(WebSocket.OPEN);
  });

  it('answers an oversized body with a 413 that a client writing the whole body first can read', async () => {
    cleanup = new Cleanup();
    const port = await server();
    const body = Buffer.alloc(BODY_LIMIT_BYTES * 3, 'a');
    for (let i = 0; i < 10; i++) {
      const c = open(port);
      cleanup.add(() => c.socket.destroy());
      c.socket.write(
        `POST /api/projects HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
      );
      c.socket.write(body);
      await until(() => c.received().includes('}') || c.closed(), 5000, 'the answer');
      expect(c.received(), `try ${i}`).toMatch(/^HTTP\/1\.1 413 /);
      expect(c.received()).toContain('"fst_err_ctp_body_too_large"');
    }
  });
});
