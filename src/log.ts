import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';
import { withoutPassword } from './core/redact.js';

/** The values of `MAESTRO_LOG_FORMAT` / `--log-format`. */
export const LOG_FORMATS = ['auto', 'pretty', 'json'] as const;

/**
 * The server's logger at `level`: readable lines (pino-pretty: time, level, message, then the
 * fields) with `pretty`, or with `auto` on a terminal; one JSON object a line with `json`, or with
 * `auto` when the output goes to a file, a pipe or a log collector. No line shows a password: each
 * is passed through {@link withoutPassword} as it is written, whatever was logged (an error a
 * database driver built, a URL in a message).
 * @param tty whether standard output is a terminal (default: asked of `process.stdout`)
 * @throws Error naming `MAESTRO_LOG_FORMAT` for any other format
 */
export function createLogger(level: string, format: string, tty = process.stdout.isTTY === true): Logger {
  if (!(LOG_FORMATS as readonly string[]).includes(format))
    throw new Error(`MAESTRO_LOG_FORMAT (--log-format): expected ${LOG_FORMATS.join(', ')}, got ${JSON.stringify(format)}`);
  // Redacted as pino writes the JSON line, before pino-pretty reads it: one place, every line.
  const options = { level, hooks: { streamWrite: withoutPassword } };
  if (format === 'json' || (format === 'auto' && !tty)) return pino(options);
  return pino(options, pretty({ colorize: tty, ignore: 'pid,hostname', translateTime: 'HH:MM:ss', sync: true }));
}
