import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MaestroApiError, MaestroClient } from '../src/client/index.js';
import { LIVE, launchChromium, SHOTS, WAIT } from './dashboard-browser.js';
import { fakeAgent } from './fake-agent.js';
import { Cleanup, gitRepo, testMaestro } from './helpers.js';

const SCREENS = fileURLToPath(new URL('./fixtures/screens/claude/', import.meta.url));

describe('dashboard in a real Chromium', { timeout: 6 * WAIT }, () => {
  const cleanup = new Cleanup();
  let m: Awaited<ReturnType<typeof testMaestro>>;
  let url: string;
  let client: MaestroClient;
  let browser: Browser;
  let page: Page;
  let repo: string;
  const row = (id: string) => page.locator(`[data-session="${id}"]`);
  const badge = () => page.locator('[data-session-page] header [data-agent-state]');
  const shot = (name: string) => page.screenshot({ path: `${SHOTS}/dashboard-${name}.png` });
  const focused = () =>
    page.evaluate(() => {
      const e = document.activeElement as HTMLElement | null;
      return e
        ? `${e.tagName.toLowerCase()}#${e.id}[${e.getAttribute('data-answer') ?? ''}]@${e.closest('[data-terminal-live]') ? 'terminal' : ''}`
        : '';
    });

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    m = await testMaestro(cleanup, { reconcileIntervalMs: 200 });
    url = await m.listen();
    client = new MaestroClient({ baseUrl: url });
    await client.projects.create({ id: 'proj_web', name: 'web', repoPath: m.dir });
    await client.tasks.create({ id: 'task_login', projectId: 'proj_web', title: 'Login page' });
    repo = gitRepo(join(m.dir, 'repo'), { 'app.ts': 'export const answer = 41;\n' });
    await client.projects.create({ id: 'proj_app', name: 'app', repoPath: repo });
    browser = await launchChromium(cleanup);
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(WAIT);
    await page.goto(url);
    await page.getByRole('status', { name: 'Connection', exact: true }).filter({ hasText: 'live' }).waitFor();
  }, 4 * WAIT);
  afterAll(() => cleanup.run());

  it('spawns an agent into a chosen project and worktree, shows it working then waiting, answers it, shows its diff, merges it and deletes it', async () => {
    const go = join(m.dir, 'go');
    // A fake Claude Code: it edits a file, shows its working screen until the test says go, then asks for a permission.
    const script = [
      'echo "from the agent" > notes.md',
      `clear; cat ${SCREENS}working.txt`,
      `until [ -e ${go} ]; do sleep 0.1; done`,
      `clear; cat ${SCREENS}permission.txt`,
      'stty raw -echo; k=$(dd bs=1 count=1 2>/dev/null); stty sane; printf "\\nanswered:[%s]\\n" "$k"',
      'exec sleep 300',
    ].join('; ');
    await page.getByRole('button', { name: 'New session' }).click();
    const form = page.getByRole('form', { name: 'Spawn a session' });
    await form.getByLabel('Project').selectOption('proj_app');
    await form.getByLabel('Agent').selectOption('claude');
    await form.getByLabel('Command').fill(`sh -c '${script}'`);
    await form.getByLabel('Name').fill('reviewer');
    await form.getByLabel('in a new worktree').check();
    await expect.poll(() => form.getByLabel('from branch').locator('option').allTextContents(), LIVE).toEqual(['main']);
    await shot('spawn-form');
    await form.getByRole('button', { name: 'Spawn' }).click();
    await page.waitForURL(/\/sessions\/sess_[^/]+$/);
    const id = new URL(page.url()).pathname.split('/')[2] as string;
    expect((await client.sessions.get(id)).gitContext.isWorktree).toBe(true);

    await expect.poll(() => badge().getAttribute('data-agent-state'), LIVE).toBe('working');
    await expect.poll(() => page.locator('[data-terminal]').textContent(), LIVE).toContain('Pondering');
    await shot('working');
    writeFileSync(go, '');
    await expect.poll(() => badge().getAttribute('data-agent-state'), LIVE).toBe('waiting');
    // The header counts from the page's main stream, the badge from the session's own: each gets there.
    await expect.poll(() => page.locator('header.top [data-waiting]').getAttribute('data-waiting'), LIVE).toBe('1');
    const asks = page.getByRole('group', { name: 'The agent asks (permission)' });
    await expect.poll(() => asks.textContent(), LIVE).toContain('Do you want to proceed?');
    await shot('answer');
    await asks.getByRole('button', { name: /^1\. / }).click();
    await expect.poll(() => page.locator('[data-terminal]').textContent(), LIVE).toContain('answered:[1]');

    await page.getByRole('tab', { name: 'Diff' }).click();
    await page.waitForURL(/\/diff$/);
    await expect.poll(() => page.locator('[data-diff]').textContent(), LIVE).toContain('notes.md');
    expect(await page.locator('[data-diff]').textContent()).toContain('from the agent');
    await shot('diff');

    await page.getByRole('button', { name: 'Finish: merge' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Merge' }).click();
    await expect.poll(() => existsSync(join(repo, 'notes.md')), LIVE).toBe(true);
    await expect.poll(() => badge().getAttribute('data-agent-state'), LIVE).toBe('ended');

    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    const confirm = page.getByRole('alertdialog');
    expect(await confirm.textContent()).toContain('Delete reviewer');
    await confirm.getByRole('button', { name: 'Confirm delete' }).click();
    await page.waitForURL(`${url}/`);
    await row(id).waitFor({ state: 'detached' });
    await expect(client.sessions.get(id)).rejects.toBeInstanceOf(MaestroApiError);
  });

  it('moves with j/k, opens with Enter, searches with /, jumps to a waiting agent with w, answers with a, focuses the terminal with t, lists the keys with ?', async () => {
    const a = await client.sessions.create({ projectId: 'proj_web', name: 'kb-alpha' });
    const b = await client.sessions.create({ projectId: 'proj_web', name: 'kb-beta' });
    const asking = await client.sessions.spawn({
      projectId: 'proj_web',
      name: 'kb-asking',
      agent: 'claude',
      command: fakeAgent('claude', 'question', 'key'),
    });
    await page.goto(url);
    await row(asking.id).waitFor();
    // The waiting one sorts first in its project, then the newest.
    await expect.poll(() => row(asking.id).getAttribute('class'), LIVE).toContain('waiting');
    await page.keyboard.press('j');
    await expect.poll(() => row(asking.id).getAttribute('aria-current'), LIVE).toBe('true');
    await page.keyboard.press('j');
    await expect.poll(() => row(b.id).getAttribute('aria-current'), LIVE).toBe('true');
    await page.keyboard.press('j');
    await page.keyboard.press('k');
    await expect.poll(() => row(b.id).getAttribute('aria-current'), LIVE).toBe('true');
    await shot('keyboard-selected');
    await page.keyboard.press('Enter');
    await page.waitForURL(`${url}/sessions/${b.id}`);
    await page.goBack();
    await row(a.id).waitFor();

    await page.keyboard.press('/');
    await expect.poll(focused, LIVE).toBe('input#session-search[]@');
    await page.keyboard.type('alpha');
    await row(b.id).waitFor({ state: 'detached' });
    expect(await row(a.id).count()).toBe(1);
    await page.keyboard.press('Escape');
    await expect.poll(focused, LIVE).toBe('body#[]@');
    await page.getByRole('searchbox').fill('');
    await page.keyboard.press('Escape');

    await page.keyboard.press('w');
    await page.waitForURL(`${url}/sessions/${asking.id}`);
    await page.getByRole('group', { name: 'The agent asks (question)' }).waitFor();
    await page.keyboard.press('a');
    // Its first choice (Enter picks it).
    await expect.poll(focused, LIVE).toBe('button#[1]@');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('[data-terminal]').textContent(), LIVE).toContain('answered:[');
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press('t');
    await expect.poll(focused, LIVE).toMatch(/^textarea#.*@terminal$/);
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press('?');
    const keys = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await keys.waitFor();
    expect(await keys.textContent()).toContain('next agent waiting for you');
    await shot('keys');
    await page.keyboard.press('Escape');
    await keys.waitFor({ state: 'detached' });
    for (const s of [a, b, asking]) await client.sessions.delete(s.id);
  });

  it('opens a deep link to a session tab, follows tabs in the address, and the back button goes back', async () => {
    const s = await client.sessions.create({ projectId: 'proj_web', name: 'deep-linked', taskId: 'task_login' });
    const sockets: string[] = [];
    page.on('websocket', (ws) => sockets.push(ws.url()));
    await page.goto(`${url}/sessions/${s.id}/details`);
    await page.getByRole('heading', { name: 'deep-linked' }).waitFor();
    // The session page listens to its own session only (issue #24.4): the server filters its stream.
    await expect.poll(() => sockets.some((u) => u.includes('/api/events?') && u.includes(`sessionId=${s.id}`))).toBe(true);
    await client.sessions.update(s.id, { name: 'deep-linked-renamed' });
    await page.getByRole('heading', { name: 'deep-linked-renamed' }).waitFor();
    await client.sessions.update(s.id, { name: 'deep-linked' });
    await page.getByRole('heading', { name: 'deep-linked' }).waitFor();
    expect(await page.getByRole('tab', { name: 'Details' }).getAttribute('aria-selected')).toBe('true');
    expect(await page.locator('[data-details]').textContent()).toContain(s.id);
    await page.getByRole('tab', { name: 'Timeline' }).click();
    await page.waitForURL(`${url}/sessions/${s.id}/timeline`);
    expect(await page.locator('[data-timeline]').textContent()).toContain('created');
    await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: 'Sessions' }).click();
    await page.waitForURL(`${url}/`);
    await page.goBack();
    await page.getByRole('heading', { name: 'deep-linked' }).waitFor();
    await page.goForward();
    await row(s.id).waitFor();
    // A reload on any page of the dashboard serves the page.
    await page.goto(`${url}/projects`);
    await page.getByRole('heading', { name: 'Projects' }).waitFor();
    await page.goto(`${url}/sessions/sess_nothere`);
    await page.getByRole('heading', { name: 'Session not found' }).waitFor();
    await client.sessions.delete(s.id);
    await page.goto(url);
  });

  it('after the WebSocket is cut, every change made meanwhile is applied on reconnect', async () => {
    const before = await client.sessions.create({ projectId: 'proj_web', name: 'before-cut' });
    await row(before.id).waitFor();
    for (const socket of m.app.websocketServer.clients) socket.terminate();
    // Changes while the dashboard is disconnected:
    const during = await client.sessions.create({ projectId: 'proj_web', name: 'during-cut', taskId: 'task_login' });
    await client.sessions.delete(before.id);
    await row(during.id).waitFor();
    await row(before.id).waitFor({ state: 'detached' });
    await page.getByRole('status', { name: 'Connection', exact: true }).filter({ hasText: 'live' }).waitFor();
    const seq = await page.evaluate(() => (window as unknown as { maestro: { snapshot: { seq: number } } }).maestro.snapshot.seq);
    expect(seq).toBe(await m.services.store.lastSeq());
    await client.sessions.delete(during.id);
  });

  it('answers a resync by reloading the snapshot', async () => {
    // A cursor the server cannot serve (here: ahead of its log, as after a database restore).
    await page.evaluate(() => {
      (window as unknown as { maestro: { dropConnection(since: number): void } }).maestro.dropConnection(1_000_000_000);
    });
    const fresh = await client.sessions.create({ projectId: 'proj_web', name: 'after-resync' });
    await row(fresh.id).waitFor();
    await page.getByRole('status', { name: 'Connection', exact: true }).filter({ hasText: 'live' }).waitFor();
    const seq = await page.evaluate(() => (window as unknown as { maestro: { snapshot: { seq: number } } }).maestro.snapshot.seq);
    expect(seq).toBe(await m.services.store.lastSeq());
    await client.sessions.delete(fresh.id);
  });

  it('shows a failing background loop until it recovers, and on a fresh load too', async () => {
    const spy = vi.spyOn(m.services.sessions.expiry, 'expireInactive').mockRejectedValueOnce(new Error('disk I/O error'));
    await m.sweeper.stop();
    m.sweeper.start(); // its first pass runs at once, and fails
    const banner = page.getByRole('alert').filter({ hasText: 'sweeper is failing' });
    await banner.waitFor();
    expect(await banner.textContent()).toContain('disk I/O error');
    await page.reload(); // the snapshot carries it too (from /api/health)
    await banner.waitFor();
    await m.sweeper.stop();
    m.sweeper.start(); // this pass succeeds
    await banner.waitFor({ state: 'detached' });
    expect(spy).toHaveBeenCalledTimes(2);
    spy.mockRestore();
  });

  it('on a server with a token, takes it from #token=, hides it from the address and goes live', async () => {
    const local = new Cleanup();
    try {
      const secured = await testMaestro(local, { token: 'dashboard-token' });
      const securedUrl = await secured.listen();
      await secured.services.projects.create({ id: 'proj_tok', name: 'tok', repoPath: secured.dir });
      await secured.services.sessions.create({ projectId: 'proj_tok', name: 'behind-a-token' });
      const tab = await browser.newPage();
      tab.setDefaultTimeout(WAIT);
      local.add(() => tab.close());
      await tab.goto(`${securedUrl}/#token=dashboard-token`);
      await tab.getByRole('status', { name: 'Connection', exact: true }).filter({ hasText: 'live' }).waitFor();
      await tab.getByText('behind-a-token').first().waitFor();
      expect(new URL(tab.url()).hash).toBe('');
      await tab.reload(); // kept for the tab: a reload needs no fragment
      await tab.getByRole('status', { name: 'Connection', exact: true }).filter({ hasText: 'live' }).waitFor();

      const fresh = await browser.newPage();
      fresh.setDefaultTimeout(WAIT);
      local.add(() => fresh.close());
      await fresh.goto(securedUrl);
      await fresh.getByRole('status').filter({ hasText: 'token needed' }).waitFor();
      await fresh.screenshot({ path: `${SHOTS}/dashboard-token-needed.png` });
      await fresh.getByLabel('Token').fill('dashboard-token');
      await fresh.getByRole('button', { name: 'Open' }).click();
      await fresh.getByRole('status', { name: 'Connection', exact: true }).filter({ hasText: 'live' }).waitFor();
      await fresh.getByText('behind-a-token').first().waitFor();
    } finally {
      await local.run();
    }
  });
});
