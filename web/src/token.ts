/** Where the dashboard keeps the server's token for this browser tab. */
const STORAGE_KEY = 'maestro.token';

/** Keeps `token` for this tab (the dashboard then reloads with it). */
export function keepToken(token: string, storage: Storage): void {
  storage.setItem(STORAGE_KEY, token);
}

/**
 * The server's token for this tab: a `#token=…` in the address (then removed from it, so it is
 * neither bookmarked nor shown) is kept in session storage; otherwise what was kept before.
 * `undefined` when the server asks for none.
 */
export function takeToken(location: Location, history: History, storage: Storage): string | undefined {
  const fragment = new URLSearchParams(location.hash.slice(1));
  const given = fragment.get('token');
  if (given) {
    keepToken(given, storage);
    fragment.delete('token');
    const rest = fragment.toString();
    history.replaceState(null, '', `${location.pathname}${location.search}${rest ? `#${rest}` : ''}`);
    return given;
  }
  return storage.getItem(STORAGE_KEY) ?? undefined;
}
