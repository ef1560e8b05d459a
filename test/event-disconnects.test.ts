import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Session } from '../src/domain/index.js';
import { Cleanup, testMaestro, until } from './helpers.js';

/** Disconnects in all: 1,000 (issue #10); DISCONNECTS changes it. */
const DISCONNECTS = Number(process.env.DISCONNECTS ?? 1000);
const CLIENTS = 10;

/** What a client knows of each session: enough to compare with a snapshot. */
type Mirror = Map<string, { status: string; version: number }>;

/**
 * A raw WebSocket client that resumes from its last sequence after every cut. It checks the
 * server's promise itself, message by message: each event is exactly the one after the last —
 * a gap or a duplicate fails at once (the typed client would hide a duplicate).
 */
class ResumingClient {
  seq = 0;
  readonly mirror: Mirror = new Map();
  cuts = 0;
  failure: string | undefined;
  private socket: WebSocket | undefined;
  private closed = false;

  constructor(
    private readonly url: string,
    private readonly cutChance: number,
    private readonly onCut: () => void,
  ) {}

  connect(): void {
    if (this.closed) return;
    const socket = new WebSocket(`${this.url}/api/events?since=${this.seq}`);
    this.socket = socket;
    socket.on('message', (raw) => {
      const message = JSON.parse(String(raw)) as { type: string; seq: number; data: Record<string, unknown> };
      if (message.type === 'ready' || socket !== this.socket) return;
      if (message.type === 'resync') {
        this.failure = `resync at ${this.seq}`;
        return;
      }
      if (message.seq !== this.seq + 1) this.failure ??= `after ${this.seq} got ${message.seq}`;
      this.seq = message.seq;
      apply(this.mirror, message.type, message.data);
      // A cut at a random point of the stream: abrupt (like a dropped network) or a clean close.
      if (Math.random() < this.cutChance) {
        this.cuts++;
        this.onCut();
        this.socket = undefined;
        if (Math.random() < 0.5) socket.terminate();
        else socket.close();
        this.connect();
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (socket === this.socket && !this.closed) setImmediate(() => this.connect());
    });
  }

  close(): void {
    this.closed = true;
    this.socket?.terminate();
  }
}

/** Applies one event to a mirror of session statuses and versions. */
function apply(mirror: Mirror, type: string, data: Record<string, unknown>): void {
  const set = (s: { id: string; status: string; version: number }) => mirror.set(s.id, { status: s.status, version: s.version });
  if (type === 'session:deleted') mirror.delete(data.id as string);
  else if (type === 'sessions:purged') for (const s of data.sessions as { id: string }[]) mirror.delete(s.id);
  else if (type === 'sessions:ended') for (const s of data.sessions as Session[]) set(s);
  else if (type.startsWith('session:') && typeof data.version === 'number') set(data as unknown as Session);
}

describe('event stream under random disconnects', () => {
  const cleanup = new Cleanup();
  afterAll(() => cleanup.run());

  it(`${DISCONNECTS.toLocaleString()} random client disconnects during a write stream: no gap, no duplicate, same state as a snapshot`, async () => {
    const m = await testMaestro(cleanup, { maxSessions: 1_000_000 });
    const url = (await m.listen()).replace('http', 'ws');
    const { projects, sessions } = m.services;
    const project = await projects.create({ name: 'cuts', repoPath: m.dir });

    let cuts = 0;
    const clients = Array.from({ length: CLIENTS }, () => new ResumingClient(url, 0.1, () => cuts++));
    cleanup.add(() => {
      for (const c of clients) c.close();
    });
    for (const c of clients) c.connect();

    // Writes of every kind until the clients have been cut often enough.
    const live: string[] = [];
    while (cuts < DISCONNECTS) {
      const roll = Math.random();
      if (live.length < 5 || roll < 0.3) live.push((await sessions.create({ projectId: project.id })).id);
      else {
        const id = live[Math.floor(Math.random() * live.length)] as string;
        if (roll < 0.6) await sessions.touch(id, { messages: 1 });
        else if (roll < 0.75) await sessions.transition(id, { status: 'paused' }).catch(() => undefined);
        else if (roll < 0.9) {
          await sessions.end(id, 'completed');
          live.splice(live.indexOf(id), 1);
        } else {
          await sessions.delete(id);
          live.splice(live.indexOf(id), 1);
        }
      }
      // Let the clients read and reconnect between writes.
      await new Promise((resolve) => setImmediate(resolve));
      const failed = clients.find((c) => c.failure);
      if (failed) throw new Error(`a client saw a gap or a duplicate: ${failed.failure}`);
    }

    const last = await m.services.store.lastSeq();
    await until(() => clients.every((c) => c.seq === last), 20_000, 'every client to catch up');
    const snapshot = await sessions.list({ limit: 1000 });
    expect(snapshot.seq).toBe(last);
    const expected = new Map(snapshot.sessions.map((s) => [s.id, { status: s.status, version: s.version }]));
    for (const c of clients) {
      expect(c.failure).toBeUndefined();
      expect(c.mirror).toEqual(expected);
    }
    expect(clients.reduce((n, c) => n + c.cuts, 0)).toBeGreaterThanOrEqual(DISCONNECTS);
  }, 300_000);
});
