import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { type Browser, chromium, type Page } from 'playwright-core';
import type { Cleanup } from './helpers.js';

/** Debian's Chromium, installed by scripts/ensure-test-services.sh. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Where screenshots go (gitignored). */
export const SHOTS = 'test-results';
/**
 * How long a wait in the browser may take: the dashboard answers in milliseconds, but on a loaded
 * 2-core machine (tests in parallel, Chromium, tmux and the server sharing it) a render or a
 * round trip can take seconds. Generous, as a wait ends as soon as its condition holds.
 */
export const WAIT = 30_000;
/** For `expect.poll`, whose own default (1 s) is far too short under load. */
export const LIVE = { timeout: WAIT };
/** The two window sizes every page is shot at: a desktop and a narrow window. */
export const SIZES = [
  { name: 'wide', width: 1400, height: 900 },
  { name: 'narrow', width: 800, height: 900 },
] as const;

/** A headless Chromium, closed by `cleanup`. */
export async function launchChromium(cleanup: Cleanup): Promise<Browser> {
  const browser = await chromium.launch({
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
  return browser;
}

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** One violation axe-core found: its rule, impact and where. */
export interface Violation {
  id: string;
  impact: string;
  help: string;
  targets: string[];
}

/** The serious and critical accessibility violations axe-core finds on `page` as it is now. */
export async function axeViolations(page: Page): Promise<Violation[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: AXE });
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: unknown, options: unknown): Promise<{ violations: unknown[] }> } })
      .axe;
    // The terminal draws what its program prints, in the program's colours: not the page's to choose.
    const { violations } = await axe.run({ exclude: [['.xterm-rows']] }, { resultTypes: ['violations'] });
    return (violations as { id: string; impact: string; help: string; nodes: { target: string[] }[] }[])
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) }));
  });
}
