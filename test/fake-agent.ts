import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const FIXTURES = fileURLToPath(new URL('./fixtures/screens/', import.meta.url));

/**
 * The command of a fake agent for real tmux: it shows the recorded screen of `agent` in `state`
 * (test/fixtures/screens/), then reads what it is answered — one key in raw mode (a choice) or a
 * line — and prints it as `answered:[…]`.
 */
export function fakeAgent(agent: string, state: string, read: 'key' | 'line'): string[] {
  const answer =
    read === 'key'
      ? 'stty raw -echo; k=$(dd bs=1 count=1 2>/dev/null); stty sane; printf "\\nanswered:[%s]\\n" "$k"'
      : 'IFS= read -r line; printf "answered:[%s]\\n" "$line"';
  return ['sh', '-c', `clear; cat "$1"; ${answer}; exec sleep 30`, 'sh', join(FIXTURES, agent, `${state}.txt`)];
}
