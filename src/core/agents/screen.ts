import type { AgentScreen, PromptPattern, ScreenReading, WaitingFor } from './types.js';

/** Lines looked at, from the bottom of the screen: prompts and spinners sit at the bottom. */
const TAIL_LINES = 40;
/** How far below a question its choices may start, and above a footer they may end, in lines. */
const CHOICE_WINDOW = 20;
/** Lines a waiting message keeps at most. */
const MESSAGE_LINES = 6;

/** A rule or the top or bottom of a box: it separates blocks on a TUI screen. */
const RULE = /^[─━═╭╮╰╯┌┐└┘\s]{3,}$/;

/** A screen line without the box-drawing borders TUIs frame their prompts with, trimmed. */
export function bareLine(line: string): string {
  return line
    .replace(/^\s*[│┃║]\s?(?:[│┃║]\s?)?/, '')
    .replace(/\s?(?:[│┃║]\s*)?[│┃║]\s*$/, '')
    .trim();
}

/** The choice labels of a prompt found at line `at`: numbered lines nearest to it, or one line of inline choices. */
function choicesNear(
  screen: AgentScreen,
  lines: string[],
  at: number,
  prompt: PromptPattern,
): { labels: string[]; first: number } | undefined {
  const inline = screen.inlineChoices;
  if (inline) {
    for (let i = at; i < Math.min(lines.length, at + CHOICE_WINDOW); i++) {
      const labels = inline(lines[i] as string);
      if (labels && labels.length > 1) return { labels, first: i };
    }
  }
  // The choice numbered 1 that is nearest: after the question, or (footer) above the marker.
  const from = prompt.footer ? Math.max(0, at - CHOICE_WINDOW) : at + 1;
  const to = prompt.footer ? at : Math.min(lines.length, at + CHOICE_WINDOW);
  let first = -1;
  for (let i = from; i < to; i++)
    if (screen.choice.exec(lines[i] as string)?.[1] === '1') first = prompt.footer ? i : first === -1 ? i : first;
  if (first === -1) return undefined;
  const labels: string[] = [];
  for (let i = first; i < to && labels.length < 20; i++) {
    const match = screen.choice.exec(lines[i] as string);
    if (match && Number(match[1]) === labels.length + 1) labels.push((match[2] as string).trim());
  }
  return { labels, first };
}

/** The question's text: the lines of its block before its first choice (or from the marker on), without rules and blanks. */
function messageOf(lines: string[], at: number, prompt: PromptPattern, firstChoice: number | undefined): string {
  const kept: string[] = [];
  if (prompt.footer) {
    const end = firstChoice ?? at;
    for (let i = end - 1; i >= 0 && kept.length < MESSAGE_LINES; i--) {
      const line = lines[i] as string;
      if (RULE.test(line)) break;
      if (line !== '') kept.unshift(line);
    }
    return kept.join('\n');
  }
  for (let i = at - 1, n = prompt.contextAbove ?? 0; i >= 0 && n > 0; i--) {
    const line = lines[i] as string;
    if (RULE.test(line)) break;
    if (line !== '') {
      kept.unshift(line);
      n--;
    }
  }
  // Up to the first choice; the marker line itself even when its choices sit on it (aider's `(Y)es/(N)o`).
  const end = firstChoice === undefined ? Math.min(lines.length, at + 3) : Math.max(firstChoice, at + 1);
  for (let i = at; i < end && kept.length < MESSAGE_LINES * 2; i++) {
    const line = lines[i] as string;
    if (line !== '' && !RULE.test(line)) kept.push(line);
  }
  return kept.slice(-MESSAGE_LINES).join('\n');
}

/**
 * Reads one screen of `screen`'s agent (oldest line first, as `tmux capture-pane` prints it): a
 * prompt asking the user wins (waiting, with its question and choices), then signs of work (a
 * spinner, "esc to interrupt"), then the idle input prompt; `unknown` when none shows. Pure: the
 * time an unchanged screen means idle is the caller's business.
 */
export function readScreen(screen: AgentScreen, text: string | readonly string[]): ScreenReading {
  const raw = typeof text === 'string' ? text.split('\n') : text;
  const lines = raw.slice(-TAIL_LINES).map(bareLine);
  while (lines.length > 0 && lines.at(-1) === '') lines.pop();
  for (const prompt of screen.prompts) {
    for (let at = lines.length - 1; at >= 0; at--) {
      const line = lines[at] as string;
      if (!prompt.marker.test(line)) continue;
      const found = choicesNear(screen, lines, at, prompt);
      if (prompt.needsChoices && !found) continue;
      const waitingFor: WaitingFor = { reason: prompt.reason, message: messageOf(lines, at, prompt, found?.first) };
      if (found && found.labels.length > 0) waitingFor.choices = found.labels;
      return { state: 'waiting', waitingFor };
    }
  }
  if (lines.some((line) => screen.working.some((re) => re.test(line)))) return { state: 'working' };
  if (lines.some((line) => screen.idle.some((re) => re.test(line)))) return { state: 'idle' };
  return { state: 'unknown' };
}
