import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Cleanup, testMaestro, until } from '../helpers.js';

describe('security', () => {
  let cleanup: Cleanup;
  afterEach(() => cleanup.run());

  it('never lets input reach a shell: metacharacters in names, arguments and environment stay text', async () => {
    cleanup = new Cleanup();
    const m = await testMaestro(cleanup);
    await m.services.projects.create({ id: 'proj_sec', name: 'sec', repoPath: m.dir });
    const nasty = '$(touch pwned1); `touch pwned2`; touch pwned3 | touch pwned4 && touch pwned5 > x;';
    const s = await m.services.sessions.spawn({
      projectId: 'proj_sec',
      name: nasty,
      // printf gets the text as arguments; the pause lets tmux read the output before the pane dies.
      command: ['sh', '-c', 'printf "%s|%s\\n" "$0" "$1"; sleep 0.5', nasty, ';'],
      env: { NASTY: nasty },
    });
    const ended = await until(async () => {
      await m.reconciler.reconcile();
      const current = await m.services.sessions.get(s.id);
      return current.completedAt ? current : undefined;
    });
    expect(ended).toMatchObject({ name: nasty, endReason: 'terminal_closed', runtime: { exitCode: 0 } });
    expect(ended.output.join('\n')).toContain(`${nasty}|;`);
    for (let i = 1; i <= 5; i++) expect(existsSync(join(m.dir, `pwned${i}`))).toBe(false);
  });
});
