/** Fewest characters of a ULID shown for an id (about a second of creation time). */
const SHORT_ID = 8;

/**
 * Each id cut to the shortest start, its kind's prefix (`sess_`, `task_`, `proj_`) left out, that
 * no other id listed shares (at least {@link SHORT_ID} characters): what the CLI takes back, as git
 * takes short hashes.
 */
export function shortIds(ids: string[]): Map<string, string> {
  const bare = ids.map((id) => id.replace(/^(?:sess|task|proj)_/, ''));
  const short = new Map<string, string>();
  bare.forEach((b, i) => {
    let length = Math.min(SHORT_ID, b.length);
    while (length < b.length && bare.some((other, j) => j !== i && other.startsWith(b.slice(0, length)))) length++;
    short.set(ids[i] as string, b.slice(0, length));
  });
  return short;
}
