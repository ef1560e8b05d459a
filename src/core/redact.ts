/**
 * Keeping the database password out of everything Maestro shows (issue #27.1): the `maestro
 * listening` line shows the database URL through {@link withoutPassword}, and so does the logger
 * every line it writes (src/log.ts), whatever a driver or a later change puts into what it logs.
 * By shape, not by value: the password itself may be a common word ("maestro"), which a search
 * for its value would blank out of every message.
 */

/** What a hidden password is shown as. */
const MASK = '***';

/** `scheme://user:password@` anywhere — the password of a URL's user info (up to a quote or a space). */
const USERINFO_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^:/@\s"'\\]+):[^@/\s"'\\]*@/gi;
/** `password=…` among a URL's parameters (libpq and node-postgres read it there too). */
const PASSWORD_PARAMETER = /([?&]password=)[^&#\s"'\\]*/gi;
/** A JSON field named `password` (a driver's connection options, logged whole). */
const PASSWORD_FIELD = /("password"\s*:\s*")(?:[^"\\]|\\.)*"/gi;

/**
 * `text` with every password it shows replaced by `***`: in a URL's user info
 * (`postgres://user:***@host/db`), in a `password=` parameter and in a JSON `"password"` field. A
 * SQLite path, or any text without one, comes back as it is.
 */
export function withoutPassword(text: string): string {
  return text
    .replace(USERINFO_PASSWORD, `$1:${MASK}@`)
    .replace(PASSWORD_PARAMETER, `$1${MASK}`)
    .replace(PASSWORD_FIELD, `$1${MASK}"`);
}
