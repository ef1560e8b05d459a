/**
 * Keeping the database password out of everything Maestro shows (issue #27.1): the URL is shown
 * with {@link withoutPassword}, and the logger blanks out {@link databasePasswords} wherever they
 * appear in a line (src/log.ts), whatever a driver or a later change puts into what it logs.
 */

/** What a hidden secret is shown as. */
const MASK = '***';

/** `scheme://user:password@` — the password part of a URL's user info. */
const USERINFO_PASSWORD = /^([a-z][a-z0-9+.-]*:\/\/[^:/@]+):([^@/]*)@/i;
/** `password=…` among a URL's parameters (libpq and node-postgres read it there too). */
const PASSWORD_PARAMETER = /([?&]password=)([^&#]*)/gi;

/**
 * `db` as it may be shown (logs, health, errors): a `postgres://user:password@host/db` URL with its
 * password replaced by `***`, in its user info and in a `password=` parameter; a SQLite path as it is.
 */
export function withoutPassword(db: string): string {
  return db.replace(USERINFO_PASSWORD, `$1:${MASK}@`).replace(PASSWORD_PARAMETER, `$1${MASK}`);
}

/**
 * The passwords a database URL carries (in its user info or a `password=` parameter), each as
 * written and percent-decoded; none for a SQLite path or a URL without one.
 */
export function databasePasswords(db: string): string[] {
  const written = [USERINFO_PASSWORD.exec(db)?.[2], ...[...db.matchAll(PASSWORD_PARAMETER)].map((m) => m[2])];
  const found = new Set<string>();
  for (const password of written) {
    if (!password) continue;
    found.add(password);
    found.add(decoded(password));
  }
  return [...found];
}

/** `text` percent-decoded, or as it is when it is not valid percent-encoding. */
function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * `text` with every one of `secrets` replaced by `***`, also as JSON escapes it (a log line is
 * JSON, where a quote or a backslash in a password is escaped).
 */
export function redact(text: string, secrets: readonly string[]): string {
  let shown = text;
  for (const secret of secrets) {
    shown = shown.replaceAll(secret, MASK);
    const escaped = JSON.stringify(secret).slice(1, -1);
    if (escaped !== secret) shown = shown.replaceAll(escaped, MASK);
  }
  return shown;
}
