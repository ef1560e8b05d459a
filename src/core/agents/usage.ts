import { open, realpath, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, sep } from 'node:path';
import { EMPTY_STATISTICS } from '../../domain/index.js';
import { costOf, type TokenCounts } from './prices.js';

/** Tokens, the model last used, and what they cost (an estimate, US dollars). */
export interface Usage {
  tokens: TokenCounts;
  model: string | null;
  costUsd: number;
}

export const NO_USAGE: Usage = { tokens: EMPTY_STATISTICS.tokens, model: null, costUsd: 0 };

/** Bytes read from a transcript at most per update: a huge file is read over several hooks, never at once. */
const MAX_READ = 8 * 1024 * 1024;

/**
 * The directories agents keep their transcripts in (docs/agents.md): a `transcript_path` a hook
 * names must lie in one of them, so a hook cannot make Maestro read any other file.
 */
export function transcriptRoots(env: NodeJS.ProcessEnv = process.env): string[] {
  const home = homedir();
  return [env.CLAUDE_CONFIG_DIR ?? join(home, '.claude'), env.CODEX_HOME ?? join(home, '.codex'), join(home, '.gemini')];
}

/**
 * Whether `path` is a transcript Maestro may read: a regular `.jsonl` file whose real path lies
 * in one of `roots` (links resolved).
 */
export async function readableTranscript(path: string, roots: readonly string[]): Promise<boolean> {
  if (!path.startsWith('/') || !path.endsWith('.jsonl')) return false;
  try {
    const [real, info] = await Promise.all([realpath(path), stat(path)]);
    if (!info.isFile()) return false;
    const realRoots = await Promise.all(roots.map((root) => realpath(root).catch(() => root)));
    return realRoots.some((root) => real.startsWith(root.endsWith(sep) ? root : `${root}${sep}`));
  } catch {
    return false;
  }
}

/**
 * Token usage read from an agent's transcript, incrementally: each `update()` reads only the bytes
 * written since the last one (complete lines), so a hook never makes Maestro read the whole
 * transcript again. Claude Code: each assistant line's `message.usage`, counted once per
 * `message.id` + `requestId` (one API message may be written as several lines); priced per line
 * with its own model. Codex: the cumulative `token_count` events (`input_tokens` includes the
 * cached ones).
 */
export class TranscriptUsage {
  private offset = 0;
  private partial = '';
  private readonly seen = new Set<string>();
  private usage: Usage = NO_USAGE;

  constructor(readonly path: string) {}

  /** The usage read so far. */
  get current(): Usage {
    return this.usage;
  }

  /** Reads what was appended since the last update. @returns whether the usage changed */
  async update(): Promise<boolean> {
    const file = await open(this.path, 'r').catch(() => undefined);
    if (!file) return false;
    let text: string;
    try {
      const { size } = await file.stat();
      if (size < this.offset) this.reset(); // rewritten: read it afresh
      const length = Math.min(size - this.offset, MAX_READ);
      if (length <= 0) return false;
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await file.read(buffer, 0, length, this.offset);
      this.offset += bytesRead;
      text = this.partial + buffer.subarray(0, bytesRead).toString('utf8');
    } finally {
      await file.close();
    }
    const lines = text.split('\n');
    this.partial = lines.pop() ?? '';
    const before = this.usage;
    for (const line of lines) this.read(line);
    return this.usage !== before;
  }

  private reset(): void {
    this.offset = 0;
    this.partial = '';
    this.seen.clear();
    this.usage = NO_USAGE;
  }

  private read(line: string): void {
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(line);
    } catch {
      return;
    }
    const message = entry.message as { id?: string; model?: string; usage?: Record<string, number> } | undefined;
    if (entry.type !== 'user' && message?.usage && message.model) {
      this.claude(entry, message as Required<typeof message>);
      return;
    }
    const payload = entry.payload as { type?: string; info?: { total_token_usage?: Record<string, number> } } | undefined;
    if (entry.type === 'turn_context') {
      const model = (entry.payload as { model?: string } | undefined)?.model;
      if (model) this.usage = { ...this.usage, model };
    }
    if (entry.type === 'event_msg' && payload?.type === 'token_count' && payload.info?.total_token_usage)
      this.codex(payload.info.total_token_usage);
  }

  private claude(entry: Record<string, unknown>, message: { id: string; model: string; usage: Record<string, number> }): void {
    const key = `${message.id}:${String(entry.requestId ?? '')}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    const n = (name: string) => Number(message.usage[name] ?? 0) || 0;
    const tokens: TokenCounts = {
      input: n('input_tokens'),
      output: n('output_tokens'),
      cacheRead: n('cache_read_input_tokens'),
      cacheWrite: n('cache_creation_input_tokens'),
    };
    const t = this.usage.tokens;
    this.usage = {
      tokens: {
        input: t.input + tokens.input,
        output: t.output + tokens.output,
        cacheRead: t.cacheRead + tokens.cacheRead,
        cacheWrite: t.cacheWrite + tokens.cacheWrite,
      },
      model: message.model,
      costUsd: this.usage.costUsd + costOf(message.model, tokens),
    };
  }

  private codex(total: Record<string, number>): void {
    const cached = Number(total.cached_input_tokens ?? 0) || 0;
    const tokens: TokenCounts = {
      input: Math.max(0, (Number(total.input_tokens ?? 0) || 0) - cached),
      output: Number(total.output_tokens ?? 0) || 0,
      cacheRead: cached,
      cacheWrite: 0,
    };
    const model = this.usage.model;
    this.usage = { tokens, model, costUsd: model ? costOf(model, tokens) : 0 };
  }
}
