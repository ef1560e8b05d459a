import { afterEach, describe, expect, it } from 'vitest';
import type { Worktree, WorktreeRemoval } from '../src/core/runtime.js';
import type { MaestroEvent } from '../src/domain/index.js';
import { GitCli } from '../src/runtime/git.js';
import { TmuxSessionManager } from '../src/runtime/tmux.js';
import { Cleanup, sessionRow, testMaestro, tmuxRuntime, tmuxSocket } from './helpers.js';

type Step = 'capture' | 'kill' | 'removeTranscript';

/** Real tmux on a private socket, with every capture, kill and transcript removal recorded, and each made to fail on demand. */
class RecordingRuntime extends TmuxSessionManager {
  readonly calls: string[] = [];
  readonly failing = new Set<Step>();

  private record(step: Step, name: string): void {
    this.calls.push(`${step} ${name}`);
    if (this.failing.has(step)) throw new Error(`${step} failed`);
  }
  override async capture(name: string, lines: number): Promise<string[]> {
    this.record('capture', name);
    return super.capture(name, lines);
  }
  override async kill(name: string): Promise<void> {
    this.record('kill', name);
    return super.kill(name);
  }
  override async removeTranscript(name: string): Promise<void> {
    this.record('removeTranscript', name);
    return super.removeTranscript(name);
  }
}

/** git that records the worktrees it is asked to remove (and removes none). */
class RecordingGit extends GitCli {
  readonly removed: string[] = [];
  override async removeWorktree(worktree: Worktree): Promise<WorktreeRemoval> {
    this.removed.push(worktree.path);
    return { removed: true };
  }
}

const HERE = 'node-here';

/**
 * What ending and deleting do to a session's runtime (docs/design.md §Ending a session): this
 * node's tmux session is captured, killed and its transcript removed, whatever fails on the way;
 * another node's is left to that node.
 */
describe('session lifecycle and the runtime', () => {
  let cleanup: Cleanup;
  afterEach(() => cleanup.run());

  async function setup(config: { retentionSecs?: number } = {}) {
    cleanup = new Cleanup();
    const runtime = new RecordingRuntime({ socket: tmuxSocket(cleanup), host: HERE });
    const git = new RecordingGit();
    const m = await testMaestro(cleanup, config, { runtime, git });
    await m.services.projects.create({ id: 'proj_l', name: 'l', repoPath: m.dir });
    /**
     * Writes a live session of the tmux session `maestro-<id>` on `host`, in a Maestro worktree of
     * its own, with `output` already kept.
     */
    const insert = async (id: string, host: string | null, output: string[] = []) => {
      const gitContext = {
        branch: `maestro/l-${id}`,
        commit: null,
        repoRoot: `/repos/${id}`,
        isWorktree: true,
        worktreeName: id,
      };
      const row = sessionRow(id, 'proj_l', m.clock.now(), { runtime: tmuxRuntime(id, host), gitContext });
      await m.services.store.transaction((tx) => tx.insertSession({ ...row, output }));
    };
    const deleted = async (id: string): Promise<MaestroEvent | undefined> =>
      (await m.services.store.listEvents(0, 10_000)).find((e) => e.type === 'session:deleted' && e.data.id === id);
    return { m, runtime, git, insert, deleted, lifecycle: m.services.sessions.lifecycle };
  }

  it("ends and deletes another node's session without capturing, killing or cleaning up its runtime or worktree", async () => {
    const { m, runtime, git, insert, lifecycle } = await setup();
    await insert('sess_far', 'node-there');
    expect(await lifecycle.end('sess_far', 'stopped')).toMatchObject({ status: 'completed', endReason: 'stopped' });
    await insert('sess_far_live', 'node-there');
    const live = await m.services.sessions.get('sess_far_live');
    await lifecycle.delete('sess_far', 'deleted');
    await lifecycle.delete('sess_far_live', 'deleted');
    expect(await lifecycle.releaseRuntime(live)).toBe(false); // nothing of this node's was live
    expect(runtime.calls).toEqual([]);
    expect(git.removed).toEqual([]);
  });

  it("treats a session recorded without a host (before nodes had names) as this node's", async () => {
    const { runtime, insert, lifecycle } = await setup();
    await insert('sess_old', null);
    await lifecycle.end('sess_old', 'stopped');
    expect(runtime.calls).toEqual(['capture maestro-sess_old', 'kill maestro-sess_old']);
  });

  it("captures and kills this node's session when it ends; its delete then removes the transcript and kills nothing", async () => {
    const { runtime, git, insert, lifecycle } = await setup();
    await insert('sess_mine', HERE);
    await lifecycle.end('sess_mine', 'stopped');
    expect(runtime.calls.splice(0)).toEqual(['capture maestro-sess_mine', 'kill maestro-sess_mine']);
    await lifecycle.delete('sess_mine', 'deleted');
    expect(runtime.calls.splice(0)).toEqual(['removeTranscript maestro-sess_mine']);
    expect(git.removed).toEqual(['/repos/sess_mine']);
    // A live one is killed first.
    await insert('sess_live', HERE);
    await lifecycle.delete('sess_live', 'deleted');
    expect(runtime.calls).toEqual(['kill maestro-sess_live', 'removeTranscript maestro-sess_live']);
  });

  it('a capture, kill or transcript removal that fails does not stop the end or the delete', async () => {
    const { m, runtime, insert, lifecycle } = await setup();
    runtime.failing.add('capture').add('kill').add('removeTranscript');
    await insert('sess_f', HERE, ['compiled 12 files']);
    // Nothing captured: the output it already had is kept, not replaced by nothing.
    expect(await lifecycle.end('sess_f', 'stopped')).toMatchObject({ status: 'completed', output: ['compiled 12 files'] });
    expect(runtime.calls).toEqual(['capture maestro-sess_f', 'kill maestro-sess_f']);
    await lifecycle.delete('sess_f', 'deleted');
    expect(runtime.calls.at(-1)).toBe('removeTranscript maestro-sess_f');
    expect(await m.services.store.getSession('sess_f')).toBeUndefined();
  });

  it('an end given output keeps it; given none, keeps what the session had', async () => {
    const { insert, lifecycle } = await setup();
    await insert('sess_a', 'node-there', ['earlier']);
    expect((await lifecycle.end('sess_a', 'lost', { output: ['last words'] })).output).toEqual(['last words']);
    await insert('sess_b', 'node-there', ['earlier']);
    expect((await lifecycle.end('sess_b', 'lost', { output: [] })).output).toEqual(['earlier']);
  });

  it('with retention 0 an end deletes the session at once, as a purge', async () => {
    const { m, runtime, insert, deleted, lifecycle } = await setup({ retentionSecs: 0 });
    await insert('sess_p', HERE);
    await lifecycle.end('sess_p', 'stopped');
    expect(await m.services.store.getSession('sess_p')).toBeUndefined();
    expect((await deleted('sess_p'))?.data).toMatchObject({ id: 'sess_p', reason: 'purged' });
    expect(runtime.calls).toEqual(['capture maestro-sess_p', 'kill maestro-sess_p', 'removeTranscript maestro-sess_p']);
  });
});
