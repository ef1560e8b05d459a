import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MaestroClient } from '../src/client/index.js';
import { axeViolations, LIVE, launchChromium, SHOTS, SIZES, type Violation, WAIT } from './dashboard-browser.js';
import { fakeAgent } from './fake-agent.js';
import { Cleanup, gitRepo, testMaestro } from './helpers.js';

/** Ended sessions made for the list: more than a screen holds many times over. */
const ENDED = 300;

describe('dashboard pages: every page at two sizes, accessible, with working forms', { timeout: 8 * WAIT }, () => {
  const cleanup = new Cleanup();
  let m: Awaited<ReturnType<typeof testMaestro>>;
  let url: string;
  let client: MaestroClient;
  let browser: Browser;
  let page: Page;
  let liveId: string;
  let waitingId: string;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    m = await testMaestro(cleanup, { reconcileIntervalMs: 200 });
    url = await m.listen();
    client = new MaestroClient({ baseUrl: url });
    const repo = gitRepo(join(m.dir, 'repo'), { 'app.ts': 'export const answer = 41;\n' });
    await client.projects.create({ id: 'proj_web', name: 'web', repoPath: repo, description: 'The web front end' });
    await client.projects.create({ id: 'proj_api', name: 'api', repoPath: m.dir });
    await client.tasks.create({ id: 'task_login', projectId: 'proj_web', title: 'Login page', priority: 5 });
    await client.tasks.create({ projectId: 'proj_web', parentId: 'task_login', title: 'Validate the form' });
    await client.tasks.create({ projectId: 'proj_api', title: 'Rate limits' });
    const live = await client.sessions.spawn({
      projectId: 'proj_web',
      taskId: 'task_login',
      name: 'login-agent',
      worktree: true,
      command: ['sh', '-c', 'sed -i s/41/42/ app.ts; echo "working on the login page"; exec sleep 300'],
    });
    liveId = live.id;
    const waiting = await client.sessions.spawn({
      projectId: 'proj_api',
      name: 'asks-first',
      agent: 'claude',
      command: fakeAgent('claude', 'permission', 'key'),
    });
    waitingId = waiting.id;
    // Ended ones, made in-process (quick): the list folds them and draws only what is in view.
    for (let i = 0; i < ENDED; i++) {
      const s = await m.services.sessions.create({ projectId: i % 3 ? 'proj_web' : 'proj_api', name: `old-${i}` });
      await m.services.sessions.end(s.id, i % 5 ? 'completed' : 'stopped');
    }
    browser = await launchChromium(cleanup);
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(WAIT);
    await page.goto(url);
    await page.getByRole('status', { name: 'Connection', exact: true }).filter({ hasText: 'live' }).waitFor();
  }, 6 * WAIT);
  afterAll(() => cleanup.run());

  it('draws every page at 1400×900 and 800×900 (saved under test-results/), and axe-core finds no serious or critical violation', async () => {
    await page.locator(`[data-session="${waitingId}"][class*="waiting"]`).waitFor();
    const pages: { name: string; path: string; ready: (p: Page) => Promise<unknown>; open?: (p: Page) => Promise<unknown> }[] = [
      { name: 'sessions', path: '/', ready: (p) => p.locator(`[data-session="${liveId}"]`).waitFor() },
      {
        name: 'sessions-ended-open',
        path: '/',
        ready: (p) => p.locator(`[data-session="${liveId}"]`).waitFor(),
        open: async (p) => {
          await p.locator('[data-ended-toggle]').click();
          await p.locator('.srow.ended').first().waitFor();
        },
      },
      {
        name: 'new-session',
        path: '/',
        ready: (p) => p.locator(`[data-session="${liveId}"]`).waitFor(),
        open: (p) => p.getByRole('button', { name: 'New session' }).click(),
      },
      {
        name: 'session-terminal',
        path: `/sessions/${liveId}`,
        ready: (p) => expect.poll(() => p.locator('[data-terminal]').textContent(), LIVE).toContain('working on the login page'),
      },
      {
        name: 'session-waiting',
        path: `/sessions/${waitingId}`,
        ready: (p) => p.getByRole('group', { name: 'The agent asks (permission)' }).waitFor(),
      },
      {
        name: 'session-diff',
        path: `/sessions/${liveId}/diff`,
        ready: (p) => expect.poll(() => p.locator('[data-diff]').textContent(), LIVE).toContain('answer = 42'),
      },
      { name: 'session-timeline', path: `/sessions/${liveId}/timeline`, ready: (p) => p.locator('[data-timeline]').waitFor() },
      { name: 'session-details', path: `/sessions/${liveId}/details`, ready: (p) => p.locator('[data-details]').waitFor() },
      { name: 'projects', path: '/projects', ready: (p) => p.locator('[data-project="proj_web"]').waitFor() },
      { name: 'tasks', path: '/tasks', ready: (p) => p.locator('[data-task="task_login"]').waitFor() },
      {
        name: 'activity',
        path: '/activity',
        ready: async (p) => {
          await p.locator('.chart canvas').first().waitFor();
          await p.locator('[data-task-timeline] canvas').waitFor();
        },
      },
      {
        name: 'keys',
        path: '/',
        ready: (p) => p.locator(`[data-session="${liveId}"]`).waitFor(),
        open: (p) => p.keyboard.press('?'),
      },
    ];
    const found: (Violation & { page: string })[] = [];
    for (const size of SIZES) {
      await page.setViewportSize({ width: size.width, height: size.height });
      for (const each of pages) {
        await page.goto(url + each.path);
        await page.getByRole('status', { name: 'Connection', exact: true }).filter({ hasText: 'live' }).waitFor();
        await each.ready(page);
        await each.open?.(page);
        await page.screenshot({ path: `${SHOTS}/dashboard-page-${each.name}-${size.name}.png` });
        for (const v of await axeViolations(page)) found.push({ ...v, page: `${each.name}@${size.name}` });
      }
    }
    expect(found).toEqual([]);
  });

  it('draws the per-task timeline with uPlot: task rows, a legend of its marks and bars, a hover readout of what happened when, and a list for screen readers', async () => {
    await page.setViewportSize({ width: 1400, height: 900 });
    await page.goto(`${url}/activity`);
    const chart = page.locator('[data-task-timeline]');
    await chart.locator('canvas').waitFor();
    // Three tasks; the one with the live session (now) on top.
    expect(await chart.getAttribute('data-rows')).toBe('3');
    const legend = await chart.locator('.u-legend').textContent();
    for (const label of ['created / status', 'session start / end', 'note', 'session live', 'session done'])
      expect(legend).toContain(label);
    const image = chart.getByRole('img');
    expect(await image.getAttribute('aria-label')).toMatch(
      /Task timeline from .* a row per task \(Login page, .*Validate the form.*\)/,
    );
    const list = await chart.getByRole('list', { name: 'Task timeline entries' }).textContent();
    expect(list).toContain('Login page: session login-agent: live since');
    expect(list).toContain('session login-agent started');

    // The pointer on the top row: over the live session's bar, then over one of its marks.
    const over = chart.locator('.u-over');
    const box = (await over.boundingBox()) as { x: number; y: number; width: number; height: number };
    const y = box.y + box.height / 3 / 2;
    const tip = chart.locator('[data-tip]');
    await page.mouse.move(box.x + box.width * 0.95, y);
    await expect
      .poll(() => tip.textContent(), LIVE)
      .toMatch(/^Login page.*login-agent: live since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d/);
    await page.screenshot({ path: `${SHOTS}/dashboard-activity-timeline-bar.png` });
    let mark = '';
    for (let x = 2; x < box.width && !mark; x += 3) {
      await page.mouse.move(box.x + x, y);
      if (await tip.isVisible())
        mark = /session login-agent started|task created|task status/.test((await tip.textContent()) ?? '') ? x.toString() : '';
    }
    expect(mark, 'a mark of the top row shows in the readout').not.toBe('');
    expect(await tip.textContent()).toMatch(/^Login page\d{4}-\d\d-\d\d \d\d:\d\d:\d\d · /);
    await page.screenshot({ path: `${SHOTS}/dashboard-activity-timeline-mark.png` });
    expect(await axeViolations(page)).toEqual([]);
    await page.mouse.move(0, 0);
    await expect.poll(() => tip.isHidden(), LIVE).toBe(true);
  });

  it('keeps only the rows in view in the page: the ended fold holds hundreds, the page a screenful', async () => {
    await page.setViewportSize({ width: 1400, height: 900 });
    await page.goto(url);
    await expect.poll(() => page.locator('[data-counts]').textContent(), LIVE).toContain(`${ENDED} ended`);
    await page.locator('[data-ended-toggle]').click();
    await page.locator('.srow.ended').first().waitFor();
    const drawn = await page.locator('[data-session]').count();
    expect(drawn).toBeLessThan(80);
    const rowCount = Number(await page.getByRole('table', { name: 'Sessions' }).getAttribute('aria-rowcount'));
    expect(rowCount).toBeGreaterThan(ENDED);
    // The oldest is reached by scrolling.
    await page.locator('.scroller').evaluate((e) => e.scrollTo(0, e.scrollHeight));
    await page.getByRole('link', { name: 'old-0', exact: true }).waitFor();
  });

  it('creates and edits a project, runs the queue (enqueue, reorder, pause, resume, complete, cancel) and deletes a project after confirmation', async () => {
    await client.queue.pause(); // what is queued stays queued while the test looks at it
    await page.goto(`${url}/projects`);
    await page.getByText('queue paused').waitFor();
    await page.getByRole('button', { name: 'New project' }).click();
    const form = page.getByRole('form', { name: 'New project' });
    await form.getByLabel('Name').fill('docs');
    await form.getByLabel('Repository').fill(m.dir);
    await form.getByLabel('put it in the queue').check();
    await form.getByRole('button', { name: 'Create project' }).click();
    const docs = await expect
      .poll(async () => (await client.projects.list({ name: 'docs' }))[0]?.status, LIVE)
      .toBe('queued')
      .then(async () => (await client.projects.list({ name: 'docs' }))[0]?.id as string);
    await page.locator(`[data-project="${docs}"]`).getByRole('button', { name: 'Edit docs' }).click();
    const edit = page.getByRole('form', { name: 'Edit project docs' });
    await edit.getByLabel('Name').fill('handbook');
    await edit.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.locator(`[data-project="${docs}"]`).textContent(), LIVE).toContain('handbook');

    // A second queued project, then reorder: the one below goes up.
    const blog = await client.projects.create({ name: 'blog', repoPath: m.dir, enqueue: true });
    const order = () => page.locator('[data-queued]').evaluateAll((items) => items.map((i) => i.getAttribute('data-queued')));
    await expect.poll(order, LIVE).toEqual([docs, blog.id]);
    await page.getByRole('button', { name: 'Move blog up' }).click();
    await expect.poll(order, LIVE).toEqual([blog.id, docs]);
    await page.screenshot({ path: `${SHOTS}/dashboard-queue.png` });

    const row = page.locator(`[data-project="${docs}"]`);
    await row.getByRole('button', { name: 'Complete' }).click();
    await expect.poll(() => row.textContent(), LIVE).toContain('completed');
    const blogRow = page.locator(`[data-project="${blog.id}"]`);
    await blogRow.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => blogRow.textContent(), LIVE).toContain('cancelled');
    await blogRow.getByRole('button', { name: 'Enqueue' }).click();
    await expect.poll(order, LIVE).toEqual([blog.id]);
    await blogRow.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('button', { name: 'Resume queue' }).click();
    await page.getByText('queue running').waitFor();
    await page.getByRole('button', { name: 'Pause queue' }).click();
    await page.getByText('queue paused').waitFor();
    await row.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Confirm delete' }).click();
    await row.waitFor({ state: 'detached' });
    await client.queue.resume();
  });

  it('creates a task and a subtask, edits its status and adds a note from the tasks page', async () => {
    await page.goto(`${url}/tasks`);
    await page.getByRole('button', { name: 'New task' }).click();
    const form = page.getByRole('form', { name: 'New task' });
    await form.getByLabel('Project').selectOption('proj_web');
    await form.getByLabel('Title').fill('Dark mode');
    await form.getByRole('button', { name: 'Create task' }).click();
    const item = page.locator('li[data-task]').filter({ hasText: 'Dark mode' }).first();
    await item.waitFor();
    await item.getByRole('button', { name: 'Add a subtask to Dark mode' }).click();
    const sub = page.getByRole('form', { name: 'New task' });
    expect(await sub.getByLabel('Subtask of').inputValue()).not.toBe('');
    await sub.getByLabel('Title').fill('Follow the system');
    await sub.getByRole('button', { name: 'Create task' }).click();
    await item.locator('ul.tree li').filter({ hasText: 'Follow the system' }).waitFor();
    await item.getByRole('button', { name: 'Edit Dark mode' }).click();
    const edit = page.getByRole('form', { name: 'Edit task Dark mode' });
    await edit.getByLabel('Status').selectOption('in_review');
    await edit.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => item.locator('.task-line').first().textContent(), LIVE).toContain('in review');
    await item.getByRole('button', { name: 'Note on Dark mode' }).click();
    await page.getByRole('textbox', { name: 'Note' }).fill('Check contrast in both schemes');
    await page.getByRole('button', { name: 'Add note' }).click();
    const id = (await item.getAttribute('data-task')) as string;
    await expect
      .poll(async () => (await client.tasks.get(id)).timeline.map((e) => e.data?.message ?? e.type), LIVE)
      .toContain('Check contrast in both schemes');
  });
});
