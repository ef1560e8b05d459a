import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const FIXTURES = fileURLToPath(new URL('./fixtures/screens/', import.meta.url));

/**
 * The command of a fake agent for real tmux: it shows the recorded screen of `agent` in `state`
 * (test/fixtures/screens/), then reads what it is answered — one key in raw mode (a choice) or a
 * line — and prints it as `answered:[…]`; then shows the screen of state `then`, when given.
 */
export function fakeAgent(agent: string, state: string, read: 'key' | 'line', then?: string): string[] {
  const answer =
    read === 'key'
      ? 'stty raw -echo; k=$(dd bs=1 count=1 2>/dev/null); stty sane; printf "\\nanswered:[%s]\\n" "$k"'
      : 'IFS= read -r line; printf "answered:[%s]\\n" "$line"';
  // Answered, it shows `then`'s screen, when given (as an agent moves on to its next state).
  const next = then ? '; clear; cat "$2"' : '';
  return [
    'sh',
    '-c',
    `clear; cat "$1"; ${answer}${next}; exec sleep 30`,
    'sh',
    join(FIXTURES, agent, `${state}.txt`),
    ...(then ? [join(FIXTURES, agent, `${then}.txt`)] : []),
  ];
}
