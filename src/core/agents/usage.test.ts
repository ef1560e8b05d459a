import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { costOf, priceOf } from './prices.js';
import { readableTranscript, TranscriptUsage } from './usage.js';

const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/agents/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'maestro-usage-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('token usage from agents’ transcripts (issue #20.5)', () => {
  it('sums Claude Code’s usage per API message, once each, reading only what was appended', async () => {
    const path = join(dir, 'claude.jsonl');
    copyFileSync(join(FIXTURES, 'claude', 'transcript.jsonl'), path);
    const usage = new TranscriptUsage(path);
    expect(await usage.update()).toBe(true);
    // The two assistant messages of the recorded transcript.
    expect(usage.current.tokens).toEqual({ input: 10, output: 310, cacheRead: 38_200, cacheWrite: 1930 });
    expect(usage.current.model).toBe('claude-sonnet-4-6');
    expect(usage.current.costUsd).toBeCloseTo((10 * 3 + 310 * 15 + 38_200 * 0.3 + 1930 * 3.75) / 1e6, 10);
    expect(await usage.update()).toBe(false);

    const lines = readFileSync(path, 'utf8').trim().split('\n');
    const last = lines.at(-1) as string;
    // The same API message written again is not counted again; a half-written line waits for its end.
    const repeated = lines.find((l) => l.includes('msg_01XyZaBcDeFgHiJkLmNoPqRs')) as string;
    appendFileSync(path, `${repeated}\n`);
    expect(await usage.update()).toBe(false);
    const next = last.replace('msg_01TuVwXyZaBcDeFgHiJkLmNo', 'msg_new').replace('"output_tokens":214', '"output_tokens":1000');
    appendFileSync(path, next.slice(0, 40));
    expect(await usage.update()).toBe(false);
    appendFileSync(path, `${next.slice(40)}\n`);
    expect(await usage.update()).toBe(true);
    expect(usage.current.tokens.output).toBe(1310);
  });

  it('takes Codex’s cumulative token counts, cached input apart', async () => {
    const path = join(dir, 'rollout.jsonl');
    copyFileSync(join(FIXTURES, 'codex', 'rollout.jsonl'), path);
    const usage = new TranscriptUsage(path);
    await usage.update();
    expect(usage.current.tokens).toEqual({ input: 45_880 - 31_744, output: 2333, cacheRead: 31_744, cacheWrite: 0 });
  });

  it('prices by model from the table, and an unknown model at nothing', () => {
    expect(priceOf('claude-opus-4-1-20250805')?.input).toBe(15);
    expect(priceOf('claude-opus-4-6')?.input).toBe(5);
    expect(priceOf('claude-haiku-4-5')?.output).toBe(5);
    expect(priceOf('gpt-5-codex')?.input).toBe(1.25);
    expect(costOf('some-local-model', { input: 1e6, output: 1e6, cacheRead: 0, cacheWrite: 0 })).toBe(0);
  });

  it('reads only .jsonl files inside the agents’ directories: no other file, no link out of them', async () => {
    const root = join(dir, 'claude-home');
    mkdirSync(join(root, 'projects'), { recursive: true });
    const inside = join(root, 'projects', 'a.jsonl');
    writeFileSync(inside, '');
    const outside = join(dir, 'secret.jsonl');
    writeFileSync(outside, '');
    symlinkSync(outside, join(root, 'projects', 'link.jsonl'));
    expect(await readableTranscript(inside, [root])).toBe(true);
    expect(await readableTranscript(outside, [root])).toBe(false);
    expect(await readableTranscript(join(root, 'projects', 'link.jsonl'), [root])).toBe(false);
    expect(await readableTranscript('/etc/passwd', [root, '/etc'])).toBe(false);
    expect(await readableTranscript('relative.jsonl', [root])).toBe(false);
  });
});
