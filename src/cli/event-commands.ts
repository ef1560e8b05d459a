import type { Command } from 'commander';
import type { MaestroEvent, StreamStatus } from '../client/index.js';
import { typePatternProblem } from '../domain/index.js';
import { clientFor, collect, globals, intOption } from './context.js';
import { streamUntilInterrupted } from './live-view.js';

/** The fields a one-line summary of an event's data shows, in this order, when present. */
const SUMMARY_FIELDS = ['status', 'endReason', 'exitCode', 'reason', 'message', 'failures'] as const;

/**
 * One line for a terminal: sequence, local time, type, then what the event is about — the entity
 * (`id`, or the `sessionId`/`taskId` of a link, or the loop) and its notable fields; sweep batches
 * give their size.
 */
export function prettyEvent(event: MaestroEvent): string {
  const data = event.data;
  const subject = [data.id, data.sessionId, data.taskId, data.loop].filter((v) => typeof v === 'string').join(' ');
  const batch = Array.isArray(data.sessions) ? `${data.sessions.length} sessions` : '';
  const notes = SUMMARY_FIELDS.filter((f) => data[f] !== undefined && data[f] !== null).map((f) => `${f}=${data[f]}`);
  const time = new Date(event.at).toLocaleTimeString(undefined, { hour12: false });
  return [`#${event.seq}`, time, event.type.padEnd(22), subject, batch, ...notes].filter(Boolean).join('  ');
}

/** `maestro events`: follows the event stream. */
export function eventCommands(program: Command): void {
  program
    .command('events')
    .description(
      'follow the event stream until interrupted (Ctrl-C): one line per event; with -o json, one JSON object per line (NDJSON)',
    )
    .option('--since <seq>', 'replay every event after this sequence first (0: all the log still holds)', intOption('--since'))
    .option(
      '-t, --type <type>',
      'only this event type (session:needs_input) or group (session:* or session:); repeatable. The server filters',
      collect,
    )
    .option('-s, --session <session>', 'only the events of this session (name or id)')
    .option('-p, --project <project>', "only the events of this project and its sessions' (name or id)")
    .action(async (opts: { since?: number; type?: string[]; session?: string; project?: string }, cmd: Command) => {
      const client = clientFor(cmd);
      const json = globals(cmd).output === 'json';
      // `session:` is the group `session:*`; the server refuses names it does not know, saying which.
      const types = opts.type?.map((t) => (t.endsWith(':') ? `${t}*` : t));
      // Checked here too: a stream the server refuses would only retry, saying "reconnecting".
      for (const problem of (types ?? []).map(typePatternProblem)) if (problem) throw new Error(`--type: ${problem}`);
      // Status goes to stderr, so stdout stays one event per line for pipes.
      const note = (text: string) => process.stderr.write(`${text}\n`);
      let last: StreamStatus | undefined;
      const { stream, stopped } = streamUntilInterrupted(client, {
        since: opts.since,
        ...(types ? { types } : {}),
        ...(opts.session ? { sessionId: opts.session } : {}),
        ...(opts.project ? { projectId: opts.project } : {}),
        onEvent: (event) => process.stdout.write(`${json ? JSON.stringify(event) : prettyEvent(event)}\n`),
        // The log no longer holds the cursor: say so, and go on from its end.
        onResync: async () => {
          const { seq } = await client.sessions.list({ limit: 1 });
          note(`resync: events up to #${seq} are no longer in the log; following from there`);
          return seq;
        },
        // Said once per change: retries with backoff report `reconnecting` on every attempt.
        onStatus: (status) => {
          if (status === last) return;
          last = status;
          if (status === 'live') note(`following events after #${stream.seq ?? 0} (Ctrl-C stops)`);
          else if (status === 'reconnecting') note('connection lost; reconnecting…');
        },
      });
      await stopped;
    });
}
