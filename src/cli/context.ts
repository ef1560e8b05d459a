import type { Command } from 'commander';
import WebSocket from 'ws';
import { MaestroClient, type WebSocketConstructor } from '../client/index.js';
import type { OutputFormat } from './output.js';

/** Global options every command sees. */
export interface GlobalOptions {
  url: string;
  /** The server's token (`--token` or `MAESTRO_TOKEN`). */
  token?: string;
  output: OutputFormat;
}

/** The global options of the root program, from any subcommand. */
export function globals(command: Command): GlobalOptions {
  return command.optsWithGlobals() as GlobalOptions;
}

/** A typed client for the server the global `--url` names. */
export function clientFor(command: Command): MaestroClient {
  const { url, token } = globals(command);
  return new MaestroClient({ baseUrl: url, token, WebSocket: WebSocket as unknown as WebSocketConstructor });
}

/** Collects a repeatable option into an array. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/**
 * Parses a non-negative integer option.
 * @throws Error naming the option when the value is not one
 */
export function intOption(name: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) throw new Error(`${name}: expected a non-negative integer, got "${value}"`);
    return n;
  };
}

/**
 * Parses an integer option that may be negative (a priority).
 * @throws Error naming the option when the value is not an integer
 */
export function signedIntOption(name: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isInteger(n)) throw new Error(`${name}: expected an integer, got "${value}"`);
    return n;
  };
}

/** Columns a line of output may take: the terminal's width, or 100 in a pipe or a file. */
export function terminalWidth(stream: { isTTY?: boolean; columns?: number } = process.stdout): number {
  return stream.isTTY === true && stream.columns !== undefined && stream.columns > 0 ? stream.columns : 100;
}
