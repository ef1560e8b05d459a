import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MaestroClient } from '../src/client/index.js';
import { fakeAgent } from './fake-agent.js';
import { Cleanup, git, gitRepo, testMaestro, until } from './helpers.js';

/** Debian's Chromium, installed by scripts/ensure-test-services.sh. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = 'test-results';
/**
 * How long a wait in the browser may take: the dashboard answers in milliseconds, but on a loaded
 * 2-core machine (tests in parallel, Chromium, tmux and the server sharing it) a render or a
 * round trip can take seconds. Generous, as a wait ends as soon as its condition holds.
 */
const WAIT = 30_000;
/** For `expect.poll`, whose own default (1 s) is far too short under load. */
const LIVE = { timeout: WAIT };

describe('dashboard in a real Chromium', { timeout: 4 * WAIT }, () => {
  const cleanup = new Cleanup();
  let m: Awaited<ReturnType<typeof testMaestro>>;
  let client: MaestroClient;
  let browser: Browser;
  let page: Page;
  const row = (id: string) => page.locator(`tr[data-session="${id}"]`);
  const shot = (name: string) => page.screenshot({ path: `${SHOTS}/dashboard-${name}.png`, fullPage: true });

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    m = await testMaestro(cleanup, { reconcileIntervalMs: 200 });
    const url = await m.listen();
    client = new MaestroClient({ baseUrl: url });
    await client.projects.create({ id: 'proj_web', name: 'web', repoPath: m.dir });
    await client.tasks.create({ id: 'task_login', projectId: 'proj_web', title: 'Login page' });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
      ],
    });
    cleanup.add(() => browser.close());
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(WAIT);
    await page.goto(url);
    await page.getByRole('status').filter({ hasText: 'live' }).waitFor();
  }, 4 * WAIT);
  afterAll(() => cleanup.run());

  it('spawns a real command from the page and shows it live', async () => {
    await page.getByLabel('Task', { exact: true }).selectOption('task_login');
    await page.getByLabel('Name', { exact: true }).fill('greeter');
    await page.getByLabel('Command', { exact: true }).fill('sh -c "echo hello from the dashboard; exec sleep 300"');
    await page.getByRole('button', { name: 'Spawn' }).click();
    const spawned = await until(async () => (await client.sessions.listFull({ active: true })).sessions[0], WAIT, 'the spawn');
    expect(spawned?.runtime.kind).toBe('tmux');
    expect(spawned?.name).toBe('greeter');
    await expect.poll(() => row(spawned?.id as string).textContent(), LIVE).toContain('greeter');
    await expect.poll(() => page.getByLabel('Name', { exact: true }).inputValue(), LIVE).toBe('');
    await expect.poll(() => row(spawned?.id as string).textContent(), LIVE).toContain('initializing');
    await expect.poll(() => page.locator('[data-terminal]').textContent(), LIVE).toContain('hello from the dashboard');
    await expect.poll(() => page.locator('li[data-task="task_login"]').textContent(), LIVE).toContain('1 active');
    await shot('spawned');
  });

  it('answers a waiting agent’s permission prompt with its button, and types into the terminal', async () => {
    const s = await client.sessions.spawn({
      projectId: 'proj_web',
      name: 'asks',
      agent: 'claude',
      command: fakeAgent('claude', 'permission', 'key'),
    });
    await row(s.id).getByRole('button', { name: 'asks' }).click();
    const asks = page.getByRole('group', { name: 'The agent asks (permission)' });
    await expect.poll(() => asks.textContent(), LIVE).toContain('Do you want to proceed?');
    await shot('answer');
    await asks.getByRole('button', { name: "2. Yes, and don't ask again for npm test commands in /work/demo" }).click();
    await expect.poll(() => page.locator('[data-terminal]').textContent(), LIVE).toContain('answered:[2]');

    const reader = await client.sessions.spawn({
      projectId: 'proj_web',
      name: 'reader',
      command: ['sh', '-c', 'read x; echo "got:$x"; exec sleep 30'],
    });
    await row(reader.id).getByRole('button', { name: 'reader' }).click();
    await page.getByLabel('Type into the terminal').fill('hello from the page');
    await page.getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => page.locator('[data-terminal]').textContent(), LIVE).toContain('got:hello from the page');
    // The tests after this one read the greeter as the newest live session.
    for (const id of [s.id, reader.id]) await client.sessions.delete(id);
  });

  it('has a live terminal: keys typed in it reach the agent, its output shows, and it follows the window’s size', async () => {
    const s = await client.sessions.spawn({
      projectId: 'proj_web',
      name: 'echoer',
      command: ['sh', '-c', 'printf "\\033[31mred before you came\\033[0m\\n"; while read l; do echo "heard:$l"; done'],
    });
    await row(s.id).getByRole('button', { name: 'echoer' }).click();
    const terminal = page.locator('[data-terminal-live]');
    await expect.poll(() => terminal.textContent(), LIVE).toContain('red before you came');
    await page.getByRole('status', { name: 'Terminal connection' }).filter({ hasText: 'live' }).waitFor();
    await terminal.click();
    await page.keyboard.type('typed in the browser');
    await page.keyboard.press('Enter');
    await expect.poll(() => terminal.textContent(), LIVE).toContain('heard:typed in the browser');
    await shot('terminal');
    const width = async () =>
      Number(
        (await execa('tmux', ['-L', m.config.tmuxSocket, 'display-message', '-p', '-t', `=maestro-${s.id}:`, '#{window_width}']))
          .stdout,
      );
    const wide = await width();
    await page.setViewportSize({ width: 800, height: 900 });
    await expect.poll(width, LIVE).toBeLessThan(wide);
    await page.setViewportSize({ width: 1280, height: 900 });
    await expect.poll(width, LIVE).toBe(wide);
    await client.sessions.delete(s.id);
  });

  it('shows what a session changed in its Diff tab: the file list with counts, unified or side by side', async () => {
    const repo = gitRepo(join(m.dir, 'diff-repo'), { 'app.ts': 'export const answer = 41;\n' });
    await client.projects.create({ id: 'proj_diff', name: 'diffs', repoPath: repo });
    const s = await client.sessions.spawn({
      projectId: 'proj_diff',
      name: 'editor',
      worktree: true,
      command: ['sh', '-c', 'sed -i s/41/42/ app.ts; printf "hello\\n" > notes.md; exec sleep 300'],
    });
    await row(s.id).getByRole('button', { name: 'editor' }).click();
    await page.getByRole('tab', { name: 'Diff' }).click();
    const view = page.locator('[data-diff]');
    await expect.poll(() => view.textContent(), LIVE).toContain('notes.md');
    expect(await view.textContent()).toContain('2 files, +2 −1');
    await expect.poll(() => view.locator('.d2h-file-wrapper').count(), LIVE).toBe(2);
    expect(await view.textContent()).toContain('answer = 42');
    expect(await view.locator('.d2h-file-wrapper').nth(1).textContent()).toMatch(/notes\.md\s*ADDED/);
    await shot('diff');
    await view.getByRole('button', { name: 'Side by side' }).click();
    await expect.poll(() => view.locator('.d2h-file-side-diff').count(), LIVE).toBeGreaterThan(0);
    await page.getByRole('tab', { name: /Terminal/ }).click();
    await client.sessions.delete(s.id);
  });

  it('spawns from the page in a worktree started from a chosen branch, the command from a preset', async () => {
    const repo = gitRepo(join(m.dir, 'branch-repo'));
    git(repo, 'branch', 'release-2');
    await client.projects.create({ id: 'proj_branch', name: 'branches', repoPath: repo, agentCommand: ['sleep', '300'] });
    await page.getByLabel('Project', { exact: true }).selectOption('proj_branch');
    await page.getByLabel('Agent', { exact: true }).selectOption('project');
    expect(await page.getByLabel('Command', { exact: true }).inputValue()).toBe('sleep 300');
    await page.getByLabel('in a worktree').check();
    const base = page.getByLabel('from', { exact: true });
    await expect.poll(() => base.locator('option').allTextContents(), LIVE).toEqual(['main', 'release-2']);
    await base.selectOption('release-2');
    await page.getByLabel('Name', { exact: true }).fill('on release');
    await page.getByRole('button', { name: 'Spawn' }).click();
    const spawned = await until(
      async () => (await client.sessions.listFull({ projectId: 'proj_branch' })).sessions[0],
      WAIT,
      'the spawn in a worktree',
    ).catch(async (err: Error) => {
      throw new Error(`${err.message}; the page says: ${await page.locator('.error').allTextContents()}`);
    });
    expect(spawned.gitContext).toMatchObject({
      isWorktree: true,
      branch: `maestro/on-release-${spawned.id.slice(-4).toLowerCase()}`,
    });
    expect(
      execFileSync('git', ['-C', repo, 'merge-base', '--is-ancestor', 'release-2', spawned.gitContext.branch as string]).length,
    ).toBe(0);
    await page.getByLabel('in a worktree').uncheck();
    await page.getByLabel('Project', { exact: true }).selectOption('proj_web');
    await client.sessions.delete(spawned.id);
  });

  it('shows a session ended in tmux without a reload', async () => {
    const [s] = (await client.sessions.listFull({ active: true })).sessions;
    await execa('tmux', ['-L', m.config.tmuxSocket, 'kill-session', '-t', `=${s?.runtime.tmuxSession}`]);
    await expect.poll(() => row(s?.id as string).textContent(), LIVE).toContain('lost');
    expect(await row(s?.id as string).getAttribute('class')).toBe('ended');
    await shot('ended');
  });

  it('deletes a session after confirmation and it vanishes from every view', async () => {
    const s = await client.sessions.spawn({
      projectId: 'proj_web',
      taskId: 'task_login',
      name: 'to-delete',
      command: ['sleep', '300'],
    });
    await row(s.id).waitFor();
    await row(s.id).getByRole('button', { name: 'to-delete' }).click();
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByRole('button', { name: 'Confirm delete' }).click();
    await row(s.id).waitFor({ state: 'detached' });
    await expect.poll(() => page.locator('li[data-task="task_login"]').textContent(), LIVE).toContain('0 active / 1 sessions');
    expect(await page.getByRole('region', { name: 'Session to-delete' }).count()).toBe(0);
    await shot('deleted');
  });

  it('shows the server’s message when an action is refused', async () => {
    await page.getByLabel('Command', { exact: true }).fill('LANG=C true');
    await page.getByRole('button', { name: 'Spawn' }).click();
    await expect.poll(() => page.getByRole('alert').textContent(), LIVE).toContain('expected a program name');
    await page.getByRole('button', { name: 'Dismiss' }).click();
  });

  it('after the WebSocket is cut, every change made meanwhile is applied on reconnect', async () => {
    const before = await client.sessions.create({ projectId: 'proj_web', name: 'before-cut' });
    await row(before.id).waitFor();
    for (const socket of m.app.websocketServer.clients) socket.terminate();
    // Changes while the dashboard is disconnected:
    const during = await client.sessions.create({ projectId: 'proj_web', name: 'during-cut', taskId: 'task_login' });
    await client.sessions.transition(before.id, { status: 'planning' });
    await client.sessions.delete(before.id);
    await row(during.id).waitFor();
    await row(before.id).waitFor({ state: 'detached' });
    await page.getByRole('status').filter({ hasText: 'live' }).waitFor();
    const seq = await page.evaluate(() => (window as unknown as { maestro: { snapshot: { seq: number } } }).maestro.snapshot.seq);
    expect(seq).toBe(await m.services.store.lastSeq());
    await shot('reconnected');
  });

  it('answers a resync by reloading the snapshot', async () => {
    // A cursor the server cannot serve (here: ahead of its log, as after a database restore).
    await page.evaluate(() => {
      (window as unknown as { maestro: { dropConnection(since: number): void } }).maestro.dropConnection(1_000_000_000);
    });
    const fresh = await client.sessions.create({ projectId: 'proj_web', name: 'after-resync' });
    await row(fresh.id).waitFor();
    await page.getByRole('status').filter({ hasText: 'live' }).waitFor();
    const seq = await page.evaluate(() => (window as unknown as { maestro: { snapshot: { seq: number } } }).maestro.snapshot.seq);
    expect(seq).toBe(await m.services.store.lastSeq());
  });

  it('shows each agent state as a badge, highlights a waiting one and counts them at the top', async () => {
    const s = await client.sessions.create({ projectId: 'proj_web', name: 'asking' });
    const waitingCount = () =>
      page
        .locator('[data-waiting]')
        .getAttribute('data-waiting', { timeout: 2000 })
        .catch(() => null);
    const before = Number((await waitingCount()) ?? 0);
    await client.sessions.needsInput(s.id, { reason: 'question', message: 'Which database?' });
    await expect.poll(() => row(s.id).getAttribute('class'), LIVE).toBe('live waiting');
    const badge = row(s.id).locator('[data-agent-state]');
    expect(await badge.getAttribute('data-agent-state')).toBe('waiting');
    expect(await badge.textContent()).toContain('waiting: question');
    expect(await badge.getAttribute('title')).toBe('Which database?');
    await expect.poll(waitingCount, LIVE).toBe(String(before + 1));
    expect(await page.locator('[data-waiting]').textContent()).toMatch(/agents? waiting for you/);
    await shot('waiting');
    await client.sessions.inputGiven(s.id);
    await expect.poll(() => row(s.id).getAttribute('class'), LIVE).toBe('live');
    await expect.poll(() => row(s.id).locator('[data-agent-state]').getAttribute('data-agent-state'), LIVE).toBe('working');
  });

  it('shows a failing background loop until it recovers, and on a fresh load too', async () => {
    const spy = vi.spyOn(m.services.sessions.expiry, 'expireInactive').mockRejectedValueOnce(new Error('disk I/O error'));
    await m.sweeper.stop();
    m.sweeper.start(); // its first pass runs at once, and fails
    const banner = page.getByRole('alert').filter({ hasText: 'sweeper is failing' });
    await banner.waitFor();
    expect(await banner.textContent()).toContain('disk I/O error');
    await shot('loop-failing');
    await page.reload(); // the snapshot carries it too (from /api/health)
    await banner.waitFor();

    await m.sweeper.stop();
    m.sweeper.start(); // this pass succeeds
    await banner.waitFor({ state: 'detached' });
    expect(spy).toHaveBeenCalledTimes(2);
    spy.mockRestore();
  });

  it('filters sessions by words and by project', async () => {
    await client.projects.create({ id: 'proj_filter', name: 'filtering', repoPath: m.dir });
    const alpha = await client.sessions.create({ projectId: 'proj_filter', name: 'alpha-agent' });
    const beta = await client.sessions.create({ projectId: 'proj_web', name: 'beta-agent' });
    await row(beta.id).waitFor();
    const panel = page.getByRole('region', { name: 'Sessions' });
    const filter = panel.getByRole('searchbox', { name: 'Filter' });
    const project = panel.getByRole('combobox', { name: 'Project' });

    await filter.fill('alpha initializing');
    await row(beta.id).waitFor({ state: 'detached' });
    expect(await row(alpha.id).count()).toBe(1);
    await filter.fill('filtering'); // a project's name matches its sessions
    expect(await row(alpha.id).count()).toBe(1);
    expect(await row(beta.id).count()).toBe(0);
    await filter.fill('');
    await project.selectOption('proj_web');
    await row(alpha.id).waitFor({ state: 'detached' });
    expect(await row(beta.id).count()).toBe(1);
    await filter.fill('no-such-session');
    await page.getByText('No session matches.').waitFor();
    await shot('filtered');

    await filter.fill('');
    await project.selectOption('');
    await row(alpha.id).waitFor();
    await client.projects.delete('proj_filter');
    await client.sessions.delete(beta.id);
  });

  it('deletes a project with its sessions and tasks after confirmation', async () => {
    await client.projects.create({ id: 'proj_gone', name: 'gone', repoPath: m.dir });
    await client.tasks.create({ id: 'task_gone', projectId: 'proj_gone', title: 'Doomed task' });
    const s = await client.sessions.spawn({ projectId: 'proj_gone', taskId: 'task_gone', command: ['sleep', '300'] });
    await row(s.id).waitFor();
    const item = page.locator('li[data-project="proj_gone"]');
    await item.getByRole('button', { name: 'Delete project gone' }).click();
    expect(await item.textContent()).toContain('1 running session (killed), 1 task');
    await item.getByRole('button', { name: 'Confirm delete' }).click();
    await item.waitFor({ state: 'detached' });
    await row(s.id).waitFor({ state: 'detached' });
    await page.locator('li[data-task="task_gone"]').waitFor({ state: 'detached' });
    // The rows go at commit; the kill follows it.
    const tmuxHas = async () =>
      (await execa('tmux', ['-L', m.config.tmuxSocket, 'has-session', '-t', `=${s.runtime.tmuxSession}`], { reject: false }))
        .exitCode === 0;
    await until(async () => !(await tmuxHas()), WAIT, 'the tmux session to go');
    expect(await page.locator('li[data-project="proj_web"]').count()).toBe(1);
  });

  it('on a server with a token, takes it from #token=, hides it from the address and goes live', async () => {
    const local = new Cleanup();
    try {
      const secured = await testMaestro(local, { token: 'dashboard-token' });
      const url = await secured.listen();
      await secured.services.projects.create({ id: 'proj_tok', name: 'tok', repoPath: secured.dir });
      await secured.services.sessions.create({ projectId: 'proj_tok', name: 'behind-a-token' });
      const tab = await browser.newPage();
      tab.setDefaultTimeout(WAIT);
      local.add(() => tab.close());
      await tab.goto(`${url}/#token=dashboard-token`);
      await tab.getByRole('status').filter({ hasText: 'live' }).waitFor();
      await tab.getByText('behind-a-token').first().waitFor();
      expect(new URL(tab.url()).hash).toBe('');
      // Kept for the tab: a reload needs no fragment.
      await tab.reload();
      await tab.getByRole('status').filter({ hasText: 'live' }).waitFor();

      // A tab without it (or with a wrong one) is asked for it, then goes live.
      const fresh = await browser.newPage();
      fresh.setDefaultTimeout(WAIT);
      local.add(() => fresh.close());
      await fresh.goto(url);
      await fresh.getByRole('status').filter({ hasText: 'token needed' }).waitFor();
      await fresh.screenshot({ path: `${SHOTS}/dashboard-token-needed.png` });
      await fresh.getByLabel('Token').fill('dashboard-token');
      await fresh.getByRole('button', { name: 'Open' }).click();
      await fresh.getByRole('status').filter({ hasText: 'live' }).waitFor();
      await fresh.getByText('behind-a-token').first().waitFor();
    } finally {
      await local.run();
    }
  });
});
