import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';
import { redact } from './core/redact.js';

/** The values of `MAESTRO_LOG_FORMAT` / `--log-format`. */
export const LOG_FORMATS = ['auto', 'pretty', 'json'] as const;

/** How {@link createLogger} writes. */
export interface LoggerOptions {
  /** Whether standard output is a terminal (default: asked of `process.stdout`). */
  tty?: boolean;
  /**
   * Secrets no line may show (the database password): each is replaced by `***` in every line
   * before it is written, wherever it appears — a field, a message, an error a driver built.
   */
  hide?: readonly string[];
}

/**
 * The server's logger at `level`: readable lines (pino-pretty: time, level, message, then the
 * fields) with `pretty`, or with `auto` on a terminal; one JSON object a line with `json`, or with
 * `auto` when the output goes to a file, a pipe or a log collector.
 * @throws Error naming `MAESTRO_LOG_FORMAT` for any other format
 */
export function createLogger(level: string, format: string, options: LoggerOptions = {}): Logger {
  if (!(LOG_FORMATS as readonly string[]).includes(format))
    throw new Error(`MAESTRO_LOG_FORMAT (--log-format): expected ${LOG_FORMATS.join(', ')}, got ${JSON.stringify(format)}`);
  const { tty = process.stdout.isTTY === true, hide = [] } = options;
  // Each line is redacted as pino writes it (JSON, before pino-pretty reads it): one place, every line.
  const base = { level, ...(hide.length > 0 ? { hooks: { streamWrite: (line: string) => redact(line, hide) } } : {}) };
  if (format === 'json' || (format === 'auto' && !tty)) return pino(base);
  return pino(base, pretty({ colorize: tty, ignore: 'pid,hostname', translateTime: 'HH:MM:ss', sync: true }));
}
