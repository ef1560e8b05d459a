/**
 * What tokens cost, as data (docs/agents.md §7): US dollars per million tokens, each row with
 * its source and the date it was read. Cache writes are priced at the 5-minute rate (Claude Code
 * writes its prompt cache for 5 minutes unless told otherwise); OpenAI and Google charge none.
 * Unknown models cost nothing here: `costUsd` is an estimate, never a bill.
 */
export interface Price {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

interface PriceRow {
  /** Matched against the model id the agent records (`claude-sonnet-4-6`, `gpt-5-codex`…); first match wins. */
  model: RegExp;
  price: Price;
  source: string;
}

const CLAUDE = 'Claude Code 2.1.197 shipped price table, read 2026-11-30';
const OPENAI = 'developers.openai.com model pages and pricing (secondary copies), read 2026-11-30';
const GOOGLE = 'ai.google.dev/gemini-api/docs/pricing (copies of 2026-06/2026-03), read 2026-11-30';

export const PRICES: readonly PriceRow[] = [
  { model: /claude-3-5-haiku|claude-haiku-3/, price: { input: 0.8, output: 4, cacheRead: 0.08, cacheWrite: 1 }, source: CLAUDE },
  { model: /haiku/, price: { input: 1, output: 5, cacheRead: 0.1, cacheWrite: 1.25 }, source: CLAUDE },
  { model: /sonnet/, price: { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 }, source: CLAUDE },
  {
    model: /opus-4(?:-[01])?(?:-\d{8})?$|opus-4-[01]-|claude-opus-4-20/,
    price: { input: 15, output: 75, cacheRead: 1.5, cacheWrite: 18.75 },
    source: CLAUDE,
  },
  { model: /opus/, price: { input: 5, output: 25, cacheRead: 0.5, cacheWrite: 6.25 }, source: CLAUDE },
  { model: /gpt-5\.4-mini/, price: { input: 0.75, output: 4.5, cacheRead: 0.075, cacheWrite: 0 }, source: OPENAI },
  { model: /gpt-5\.4/, price: { input: 2.5, output: 15, cacheRead: 0.25, cacheWrite: 0 }, source: OPENAI },
  { model: /gpt-5(?:-codex)?$|gpt-5-codex/, price: { input: 1.25, output: 10, cacheRead: 0.125, cacheWrite: 0 }, source: OPENAI },
  { model: /gemini-2\.5-pro/, price: { input: 1.25, output: 10, cacheRead: 0.125, cacheWrite: 0 }, source: GOOGLE },
  { model: /gemini-2\.5-flash-lite/, price: { input: 0.1, output: 0.4, cacheRead: 0, cacheWrite: 0 }, source: GOOGLE },
  { model: /gemini-2\.5-flash/, price: { input: 0.3, output: 2.5, cacheRead: 0, cacheWrite: 0 }, source: GOOGLE },
];

/** The price of `model`, or undefined for a model the table does not know. */
export function priceOf(model: string): Price | undefined {
  return PRICES.find((row) => row.model.test(model))?.price;
}

/** Token counts of one kind each: `input` without cached tokens, cache reads and writes apart. */
export interface TokenCounts {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

/** What `tokens` of `model` cost, in US dollars (0 for an unknown model). */
export function costOf(model: string, tokens: TokenCounts): number {
  const price = priceOf(model);
  if (!price) return 0;
  return (
    (tokens.input * price.input +
      tokens.output * price.output +
      tokens.cacheRead * price.cacheRead +
      tokens.cacheWrite * price.cacheWrite) /
    1_000_000
  );
}
