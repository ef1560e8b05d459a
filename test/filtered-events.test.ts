import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { MaestroClient, type StreamStatus, type WebSocketConstructor } from '../src/client/index.js';
import type { MaestroEvent } from '../src/domain/index.js';
import { Cleanup, testMaestro, until } from './helpers.js';

type Message = MaestroEvent | { type: 'ready'; seq: number } | { type: 'resync'; [k: string]: unknown };

/** A real WebSocket client on `url`, collecting every message. */
function watch(cleanup: Cleanup, url: string, options: WebSocket.ClientOptions = {}) {
  const messages: Message[] = [];
  const socket = new WebSocket(url, options);
  socket.on('message', (data) => messages.push(JSON.parse(String(data))));
  const opened = new Promise<void>((resolve, reject) => {
    socket.on('open', () => resolve());
    socket.on('error', reject);
  });
  cleanup.add(() => socket.terminate());
  const events = () => messages.filter((m): m is MaestroEvent => m.type !== 'ready' && m.type !== 'resync');
  return {
    socket,
    opened,
    events,
    ready: () => until(() => messages.find((m) => m.type === 'ready') as { seq: number } | undefined, 5000, 'ready'),
  };
}

type Entry = { id: string; projectId: string };
/**
 * What a filtered client must receive of `all`, written out independently of the server's filter:
 * the events naming the session (`id`, or `sessionId` of a link; never a task's, project's or
 * loop's own), a batch narrowed to its entries; a project's own events, its tasks' and its sessions'.
 */
function expected(all: MaestroEvent[], keep: { sessionId?: string; projectId?: string }, projectOf: Record<string, string>) {
  const wanted = (e: Entry) =>
    (keep.sessionId === undefined || e.id === keep.sessionId) && (keep.projectId === undefined || e.projectId === keep.projectId);
  return all.flatMap((e): MaestroEvent[] => {
    const d = e.data as Record<string, unknown>;
    if (e.type.startsWith('sessions:')) {
      const entries = (d.sessions as Entry[]).filter(wanted);
      return entries.length > 0 ? [{ ...e, data: { ...d, sessions: entries } }] : [];
    }
    if (e.type.startsWith('loop:')) return [];
    if (e.type.startsWith('project:')) return keep.sessionId === undefined && d.id === keep.projectId ? [e] : [];
    if (e.type.startsWith('task:') && d.sessionId === undefined)
      return keep.sessionId === undefined && d.projectId === keep.projectId ? [e] : [];
    const id = (d.sessionId ?? d.id) as string;
    return wanted({ id, projectId: (d.projectId as string | undefined) ?? (projectOf[id] as string) }) ? [e] : [];
  });
}

describe('filtered event streams (issue #24.4), real sockets', () => {
  let cleanup: Cleanup;
  let m: Awaited<ReturnType<typeof testMaestro>>;
  let url: string;
  let ws: string;
  beforeEach(async () => {
    cleanup = new Cleanup();
    m = await testMaestro(cleanup, { sessionTimeoutSecs: 3600, retentionSecs: 86_400 });
    url = await m.listen();
    ws = `${url.replace('http', 'ws')}/api/events`;
  });
  afterEach(() => cleanup.run());

  it("never gives a filtered client another session's or project's events, in replay or live, bulk events narrowed", async () => {
    const { projects, tasks, sessions } = m.services;
    await projects.create({ id: 'proj_p', name: 'p', repoPath: m.dir });
    await projects.create({ id: 'proj_q', name: 'q', repoPath: m.dir });
    const task = await tasks.create({ id: 'task_p', projectId: 'proj_p', title: 'login' });
    await tasks.create({ id: 'task_q', projectId: 'proj_q', title: 'other' });
    // A runs in real tmux (typing into it, its timeout warning); B shares its project; C is elsewhere.
    const a = await sessions.spawn({ projectId: 'proj_p', taskIds: [task.id], command: ['sleep', '300'] });
    const b = await sessions.create({ projectId: 'proj_p', taskIds: [task.id] });
    const c = await sessions.create({ projectId: 'proj_q', taskIds: ['task_q'] });
    const projectOf = { [a.id]: 'proj_p', [b.id]: 'proj_p', [c.id]: 'proj_q' };
    await sessions.transition(a.id, { status: 'planning' });
    await sessions.needsInput(a.id, { reason: 'question', message: 'which database?' });
    await sessions.needsInput(b.id, { reason: 'permission', message: 'may I?' });
    await sessions.transition(c.id, { status: 'planning' });
    const cursor = await m.services.store.lastSeq();

    // Replayed from 0, then live.
    const all = watch(cleanup, `${ws}?since=0`);
    const ofA = watch(cleanup, `${ws}?since=0&sessionId=${a.id}`);
    const ofP = watch(cleanup, `${ws}?since=0&projectId=proj_p`);
    const typed = watch(cleanup, `${ws}?since=0&types=session:*,project:*`);
    const client = new MaestroClient({ baseUrl: url, WebSocket: WebSocket as unknown as WebSocketConstructor });
    const ofB: MaestroEvent[] = [];
    const statuses: StreamStatus[] = [];
    const stream = client.stream({ since: 0, sessionId: b.id, onEvent: (e) => ofB.push(e), onStatus: (s) => statuses.push(s) });
    cleanup.add(() => stream.close());
    for (const w of [all, ofA, ofP, typed]) expect((await w.ready()).seq).toBe(cursor);
    await until(() => statuses.includes('live'), 5000, 'the typed client live');
    // Its last event is older than the cursor: it goes on from what the server looked at.
    expect(stream.seq).toBe(cursor);

    // Live: agent states, typing, links both ways, a timeout warning, an end, a bulk end, a purge.
    await sessions.inputGiven(a.id);
    await sessions.inputGiven(b.id);
    await sessions.needsInput(c.id, { reason: 'question', message: "C's secret question" });
    await sessions.terminal.sendInput(a.id, { text: 'use sqlite' });
    const extra = await tasks.create({ projectId: 'proj_p', title: 'extra' });
    await sessions.linkTask(a.id, extra.id);
    await sessions.linkTask(b.id, extra.id);
    await sessions.unlinkTask(a.id, extra.id);
    m.clock.advance(3540 * 1000);
    expect((await m.reconciler.reconcile()).warned).toContain(a.id);
    await sessions.end(a.id, 'completed', { note: 'done' });
    m.clock.advance(120 * 1000);
    expect((await m.sweeper.sweep()).timedOut).toBe(2); // B and C, one batch
    m.clock.advance(86_401 * 1000);
    expect((await m.sweeper.sweep()).purged).toBe(3); // A, B and C, one batch
    await projects.delete('proj_q');

    const log = await m.services.store.listEvents(0, 10_000);
    await until(() => all.events().length === log.length, 5000, 'every event on the unfiltered stream');
    expect(all.events()).toEqual(log);
    const types = new Set(log.map((e) => e.type));
    for (const t of [
      'session:agent_state',
      'session:input_sent',
      'session:timeout_warning',
      'session:ended',
      'sessions:ended',
      'sessions:purged',
    ])
      expect(types).toContain(t);

    const forA = expected(log, { sessionId: a.id }, projectOf);
    const forB = expected(log, { sessionId: b.id }, projectOf);
    const forP = expected(log, { projectId: 'proj_p' }, projectOf);
    const forTypes = log.filter((e) => /^(session|project):/.test(e.type));
    await until(() => ofA.events().length === forA.length, 5000, "A's events");
    await until(() => ofB.length === forB.length, 5000, "B's events");
    await until(() => ofP.events().length === forP.length, 5000, "P's events");
    await until(() => typed.events().length === forTypes.length, 5000, 'the typed events');
    expect(ofA.events()).toEqual(forA);
    expect(ofB).toEqual(forB);
    expect(ofP.events()).toEqual(forP);
    expect(typed.events()).toEqual(forTypes);

    // Nothing of the others anywhere in what each one received, batches included.
    const text = (events: MaestroEvent[]) => JSON.stringify(events);
    for (const other of [b.id, c.id, 'task_q', 'proj_q']) expect(text(ofA.events())).not.toContain(other);
    for (const other of [a.id, c.id, 'task_q', 'proj_q']) expect(text(ofB)).not.toContain(other);
    for (const other of [c.id, 'task_q', 'proj_q', "C's secret"]) expect(text(ofP.events())).not.toContain(other);
    expect(ofA.events().map((e) => e.type)).toEqual(
      expect.arrayContaining([
        'session:agent_state',
        'session:input_sent',
        'session:timeout_warning',
        'session:ended',
        'sessions:purged',
      ]),
    );
    expect(ofB.map((e) => e.type)).toEqual(expect.arrayContaining(['sessions:ended', 'sessions:purged', 'task:session_added']));
    const bulk = ofP.events().filter((e) => e.type === 'sessions:purged');
    expect(bulk.map((e) => (e.data.sessions as Entry[]).map((s) => s.id).sort())).toEqual([[a.id, b.id].sort()]);
    for (const received of [ofA.events(), ofB, ofP.events(), typed.events()]) {
      const seqs = received.map((e) => e.seq);
      expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
      expect(new Set(seqs).size).toBe(seqs.length);
    }
  });

  it('refuses a bad filter before upgrading, naming the field; a good one opens the stream', async () => {
    const issue = async (query: string) => {
      const res = await fetch(`${url}/api/events?${query}`);
      expect(res.status).toBe(400);
      const body = (await res.json()) as { code: string; details: { issues: { path: string; message: string }[] } };
      expect(body.code).toBe('validation_failed');
      return body.details.issues[0];
    };
    expect(await issue('types=session:nope')).toEqual({
      path: 'query.types',
      message: expect.stringContaining('"session:nope"'),
    });
    expect(await issue('types=nope:*')).toEqual({ path: 'query.types', message: expect.stringContaining('"nope:*"') });
    expect(await issue('types=')).toMatchObject({ path: 'query.types' });
    expect(await issue('sessionId=proj_x')).toMatchObject({ path: 'query.sessionId' });
    expect(await issue('projectId=sess_x')).toMatchObject({ path: 'query.projectId' });
    // Valid: a plain GET gets as far as the handler (426), and a WebSocket opens.
    expect((await fetch(`${url}/api/events?types=session:*,loop:failed&sessionId=sess_a&projectId=proj_p`)).status).toBe(426);
    const ok = watch(cleanup, `${ws}?types=sessions:*`);
    expect(await ok.ready()).toEqual({ type: 'ready', seq: 0 });
  });

  it('negotiates permessage-deflate when the client offers it, delivering the same events, large live ones deflated', async () => {
    const deflating = watch(cleanup, `${ws}?since=0`);
    const plain = watch(cleanup, `${ws}?since=0`, { perMessageDeflate: false });
    await Promise.all([deflating.opened, plain.opened]);
    expect(deflating.socket.extensions).toContain('permessage-deflate');
    expect(plain.socket.extensions).toBe('');
    await Promise.all([deflating.ready(), plain.ready()]);
    const bytesBefore = [deflating, plain].map(
      (w) => (w.socket as unknown as { _socket: { bytesRead: number } })._socket.bytesRead,
    );

    const { projects, sessions } = m.services;
    await projects.create({ id: 'proj_z', name: 'z', repoPath: m.dir });
    const s = await sessions.create({ projectId: 'proj_z' });
    // Over the 16 KiB threshold: about 18 KB each.
    for (let i = 0; i < 10; i++)
      await sessions.update(s.id, { featureRequest: `step ${i}: ${'make the login page work; '.repeat(700)}` });
    const log = await m.services.store.listEvents(0, 1000);
    await until(() => deflating.events().length === log.length && plain.events().length === log.length, 5000, 'every event');
    expect(deflating.events()).toEqual(log);
    expect(plain.events()).toEqual(log);
    const [deflated, raw] = [deflating, plain].map(
      (w, i) => (w.socket as unknown as { _socket: { bytesRead: number } })._socket.bytesRead - (bytesBefore[i] as number),
    );
    // Ten updates of ~18 KB, mostly repeated text: a tenth or less once deflated.
    expect(raw).toBeGreaterThan(180_000);
    expect(deflated as number).toBeLessThan((raw as number) / 10);
  });
});
