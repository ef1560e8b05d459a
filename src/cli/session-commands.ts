import { readFile, writeFile } from 'node:fs/promises';
import { Argument, type Command, Option } from 'commander';
import { execa } from 'execa';
import type { MaestroClient } from '../client/index.js';
import {
  AGENT_KINDS,
  AGENT_STATES,
  END_REASONS,
  type EndReason,
  INPUT_KEYS,
  type InputKey,
  SESSION_PHASES,
  SESSION_ROLES,
  SESSION_STATUSES,
  type Session,
  type SessionListItem,
  type SessionPhase,
  type SessionStatus,
  type SessionSummary,
  WAIT_STATES,
  type WaitFor,
} from '../domain/index.js';
import { shouldColour } from './colour.js';
import { confirm } from './confirm.js';
import { clientFor, collect, globals, intOption, terminalWidth } from './context.js';
import { drawScreen, watchView } from './live-view.js';
import { emit, prettyDiff, prettySession } from './output.js';
import { sessionIdOf } from './resolve.js';
import { prettySessions } from './session-table.js';

/** Help of `--version` (optimistic concurrency, see the API's version fencing). */
const IF_VERSION = 'apply only if the session is still at this version (else it fails with 409 conflict)';

/** Parses `KEY=value` pairs. @throws Error on a pair without `=` */
function envPairs(pairs: string[] = []): Record<string, string> {
  return Object.fromEntries(
    pairs.map((pair) => {
      const at = pair.indexOf('=');
      if (at <= 0) throw new Error(`--env: expected KEY=value, got "${pair}"`);
      return [pair.slice(0, at), pair.slice(at + 1)];
    }),
  );
}

/** `--parent`: the session that starts this one. */
const parentOption = () =>
  new Option('--parent <session>', 'the session that starts this one (default: $MAESTRO_SESSION_ID, the session this runs in)');
/** `--no-parent`: not a child of the session this runs in. */
const noParentOption = () => new Option('--no-parent', 'start it as a root even inside a session');
/** `--role`: its place in a tree of agents. */
const roleOption = () => new Option('--role <role>', 'orchestrator (drives others) or worker (default)').choices(SESSION_ROLES);

/**
 * The parent a new session names: `--parent`, else the session this command runs inside
 * (`MAESTRO_SESSION_ID`, set by Maestro in every agent it spawns), unless `--no-parent`.
 */
function parentOf(opts: { parent?: string | false }): string | undefined {
  if (opts.parent === false) return undefined;
  return opts.parent ?? (process.env.MAESTRO_SESSION_ID || undefined);
}

/**
 * Waits until session `id` ends; its exit code (0 when it ended well without one, 1 when not), for
 * `spawn --wait ended`.
 */
async function waitForEnd(client: MaestroClient, id: string): Promise<number> {
  const answer = await client.sessions.wait([id], ['ended'], Number.POSITIVE_INFINITY);
  return answer.session?.exitCode ?? (answer.session?.status === 'completed' ? 0 : 1);
}

/** `maestro session …` */
export function sessionCommands(program: Command): void {
  const session = program.command('session').description('create, inspect, move and end agent sessions');

  session
    .command('create')
    .description('create a session record (no runtime; use spawn to start a command)')
    .requiredOption('-p, --project <id>', 'project id')
    .option('-t, --task <id>', 'link a task (repeatable)', collect)
    .option('-n, --name <name>', 'session name')
    .option('--id <id>', 'client-given id (sess_…)')
    .option('-f, --feature-request <text>', 'what the agent is asked to build')
    .addOption(parentOption())
    .addOption(noParentOption())
    .addOption(roleOption())
    .action(async (opts, cmd: Command) => {
      const created = await clientFor(cmd).sessions.create({
        projectId: opts.project,
        taskIds: opts.task,
        name: opts.name,
        id: opts.id,
        featureRequest: opts.featureRequest,
        parentSessionId: parentOf(opts),
        role: opts.role,
      });
      emit(globals(cmd).output, created, prettySession);
    });

  session
    .command('spawn')
    .description('start a command in a new tmux session, e.g. maestro session spawn -p proj_x -- claude --resume')
    .requiredOption('-p, --project <id>', 'project id')
    .option('-t, --task <id>', 'link a task (repeatable)', collect)
    .option('-n, --name <name>', 'session name')
    .option('--id <id>', 'client-given id (sess_…)')
    .option('--cwd <dir>', "working directory (default: the project's repo)")
    .option('-e, --env <KEY=value>', 'environment variable for the command (repeatable)', collect)
    .option(
      '-w, --worktree',
      'run in a new git worktree .maestro/worktrees/<id> on a branch named after its task (maestro/login-page-4f2a)',
    )
    .addOption(new Option('--agent <kind>', "the agent it runs (default: from the program's name)").choices(AGENT_KINDS))
    .addOption(parentOption())
    .addOption(noParentOption())
    .addOption(roleOption())
    .addOption(
      new Option('--wait <state>', 'then wait until it ends, and exit with its exit code (a script that runs an agent)').choices([
        'ended',
      ]),
    )
    .argument('<command...>', 'the program and its arguments (put them after --)')
    .action(async (command: string[], opts, cmd: Command) => {
      const spawned = await clientFor(cmd).sessions.spawn({
        projectId: opts.project,
        taskIds: opts.task,
        name: opts.name,
        id: opts.id,
        cwd: opts.cwd,
        env: envPairs(opts.env),
        worktree: opts.worktree,
        agent: opts.agent,
        parentSessionId: parentOf(opts),
        role: opts.role,
        command,
      });
      emit(globals(cmd).output, spawned, prettySession);
      if (opts.wait === 'ended') process.exitCode = await waitForEnd(clientFor(cmd), spawned.id);
    });

  session
    .command('restart <id>')
    .description(
      'start an ended session again: same command, directory and tasks, as a new session (Claude Code resumes its conversation)',
    )
    .action(async (id: string, _opts, cmd: Command) =>
      emit(globals(cmd).output, await clientFor(cmd).sessions.restart(id), prettySession),
    );

  session
    .command('get <id>')
    .description('show one session')
    .action(async (id: string, _opts, cmd: Command) => {
      const client = clientFor(cmd);
      const found = await client.sessions.get(id);
      const output = globals(cmd).output;
      // Its project by name too, for people; a project that cannot be read leaves just the id.
      const project = output === 'json' ? undefined : await client.projects.get(found.projectId).catch(() => undefined);
      emit(output, found, (s) => prettySession(s, project?.name));
    });

  session
    .command('list')
    .description('list sessions, newest first')
    .addOption(new Option('-s, --status <status>', 'only this status').choices(SESSION_STATUSES))
    .addOption(new Option('--state <state>', 'only agents in this state (waiting: those waiting for you)').choices(AGENT_STATES))
    .option('-p, --project <id>', 'only this project')
    .option('-t, --task <id>', 'only sessions linked to this task')
    .option('-b, --branch <name>', 'only this git branch')
    .option('--active', 'only sessions that have not ended')
    .option('--created-after <iso>', 'created after this ISO-8601 time')
    .option('--created-before <iso>', 'created before this ISO-8601 time')
    .option('--recent <n>', 'the n most recent', intOption('--recent'))
    .option('--parent <session>', 'only the sessions this session started')
    .option('--tree', 'draw each session under the session that started it')
    .option('--limit <n>', 'at most n (default 100; a page with --all)', intOption('--limit'))
    .option('--all', 'every matching session, page after page (the counter on stderr shows how far)')
    .option('-w, --watch', 'keep the list current until Ctrl-C (with -o json: one JSON list per line, per change)')
    .option('--wide', 'every column in full: id, phase, role, parent, agent, tasks, branch, host, created time (nothing cut)')
    .action(async (opts, cmd: Command) => {
      const client = clientFor(cmd);
      const output = globals(cmd).output;
      const load = async () => {
        const query = {
          status: opts.status,
          agentState: opts.state,
          projectId: opts.project,
          taskId: opts.task,
          branch: opts.branch,
          parentSessionId: opts.parent,
          active: opts.active,
          created_after: opts.createdAfter,
          created_before: opts.createdBefore,
          recent: opts.recent,
          limit: opts.limit,
        };
        // --wide shows what only full rows hold; otherwise summaries, every page with --all.
        const list = async (): Promise<{ sessions: SessionListItem[] | SessionSummary[]; seq: number }> => {
          if (opts.wide) return client.sessions.listFull(query);
          if (!opts.all) return client.sessions.list(query);
          const all: SessionSummary[] = [];
          let seq = 0;
          for await (const page of client.sessions.pages(query)) {
            if (all.length === 0) seq = page.seq;
            all.push(...page.sessions);
            if (process.stderr.isTTY) process.stderr.write(`\r${all.length}/${page.total} sessions`);
          }
          if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
          return { sessions: all, seq };
        };
        // Project names only for people; JSON keeps the sessions as they are.
        const [{ sessions, seq }, projects] = await Promise.all([list(), output === 'json' ? [] : client.projects.list()]);
        return { value: { sessions, projects: new Map(projects.map((p) => [p.id, p.name])) }, seq };
      };
      // Read at each drawing: a terminal may have been resized since the last one.
      const pretty = ({
        sessions,
        projects,
      }: {
        sessions: SessionListItem[] | SessionSummary[];
        projects: Map<string, string>;
      }) =>
        prettySessions(sessions, {
          projects,
          wide: opts.wide === true,
          tree: opts.tree === true,
          width: terminalWidth(),
          colour: shouldColour(),
        });
      if (!opts.watch) {
        const { sessions, projects } = (await load()).value;
        emit(output, sessions, (list) => pretty({ sessions: list, projects }));
        return;
      }
      await watchView(client, {
        load,
        affects: (event) => event.type.startsWith('session') || event.type.startsWith('project'),
        draw: (view) =>
          output === 'json'
            ? process.stdout.write(`${JSON.stringify(view.sessions)}\n`)
            : drawScreen('maestro session list', pretty(view)),
      });
    });

  session
    .command('wait <ids...>')
    .description(
      'wait until one of the sessions is waiting for you, idle or ended (or changes at all), e.g. maestro session wait worker-1 worker-2 --state waiting; exits 0 naming it, 124 on timeout',
    )
    .addOption(
      new Option('-s, --state <state>', 'what to wait for (repeatable; an end always counts)')
        .choices(WAIT_STATES)
        .argParser((value: string, previous: string[] = []) => {
          if (!(WAIT_STATES as readonly string[]).includes(value))
            throw new Error(`--state: expected one of ${WAIT_STATES.join(', ')}, got "${value}"`);
          return [...previous, value];
        }),
    )
    .option('-t, --timeout <seconds>', 'give up after this many seconds (default: wait for ever)', intOption('--timeout'))
    .action(async (ids: string[], opts: { state?: WaitFor[]; timeout?: number }, cmd: Command) => {
      const client = clientFor(cmd);
      const resolved = await Promise.all(ids.map((id) => sessionIdOf(client, id)));
      const answer = await client.sessions.wait(resolved, opts.state ?? ['any'], opts.timeout ?? Number.POSITIVE_INFINITY);
      emit(globals(cmd).output, answer, (a) =>
        a.matched ? `${a.session?.name ?? a.sessionId} ${a.state}` : `timed out after ${opts.timeout} s`,
      );
      if (!answer.matched) process.exitCode = 124;
    });

  session
    .command('transition <id>')
    .description('move a session along the workflow')
    .addArgument(new Argument('<status>', 'the status to move to').choices(SESSION_STATUSES))
    .addOption(new Option('--phase <phase>', 'set the phase too').choices(SESSION_PHASES))
    .option('--version <n>', IF_VERSION, intOption('--version'))
    .action(async (id: string, status: string, opts, cmd: Command) => {
      const moved = await clientFor(cmd).sessions.transition(id, {
        status: status as SessionStatus,
        phase: opts.phase as SessionPhase | undefined,
        version: opts.version,
      });
      emit(globals(cmd).output, moved, prettySession);
    });

  session
    .command('end <id>')
    .description(
      'end a session (kills its tmux session, keeps its last output), e.g. maestro session end login --note "wrong approach"',
    )
    .addOption(
      new Option('-r, --reason <reason>', 'why: stopped (you ended it, the default) or completed (its work is done)…')
        .choices(END_REASONS)
        .default('stopped'),
    )
    .option('--note <text>', 'what to remember about it (kept with the session and on its tasks)')
    .option('--exit-code <n>', 'exit code to record', intOption('--exit-code'))
    .action(async (id: string, opts, cmd: Command) => {
      const ended = await clientFor(cmd).sessions.end(id, {
        reason: opts.reason as EndReason,
        note: opts.note,
        exitCode: opts.exitCode,
      });
      emit(globals(cmd).output, ended, prettySession);
    });

  session
    .command('touch <id>')
    .description('record activity (heartbeat)')
    .option('-m, --messages <n>', 'messages to count (default 1; 0 for a bare heartbeat)', intOption('--messages'))
    .action(async (id: string, opts, cmd: Command) => {
      emit(globals(cmd).output, await clientFor(cmd).sessions.touch(id, { messages: opts.messages }), prettySession);
    });

  session
    .command('answer <id> [choice]')
    .description('show what a waiting agent asks and its choices; with CHOICE (a number or a label, or free text) answer it')
    .action(async (id: string, choice: string | undefined, _opts, cmd: Command) => {
      const client = clientFor(cmd);
      if (choice === undefined) {
        const prompt = await client.sessions.prompt(id);
        emit(globals(cmd).output, prompt, (p) =>
          p.waitingFor
            ? [p.waitingFor.message, ...(p.waitingFor.choices ?? []).map((c, i) => `  ${i + 1}. ${c}`)].join('\n')
            : `${id} is not waiting (${p.agent}: ${p.state})`,
        );
        return;
      }
      const body = /^[1-9][0-9]?$/.test(choice) ? { choice: Number(choice) } : { text: choice };
      emit(globals(cmd).output, await client.sessions.answer(id, body), () => `answered ${id}: ${choice}`);
    });

  session
    .command('send <id> [text]')
    .description('type into a live session: TEXT literally, then each --key, then Enter (unless --no-submit)')
    .addOption(
      new Option('-k, --key <name>', 'press a named key after the text (repeatable)').choices(INPUT_KEYS).argParser(collect),
    )
    .option('--no-submit', 'do not press Enter after the text')
    .action(async (id: string, text: string | undefined, opts: { key?: InputKey[]; submit: boolean }, cmd: Command) => {
      const sent = await clientFor(cmd).sessions.sendInput(id, { text, keys: opts.key, submit: opts.submit });
      emit(
        globals(cmd).output,
        sent,
        () =>
          `sent ${text?.length ?? 0} characters${opts.key?.length ? ` and ${opts.key.join(', ')}` : ''}${opts.submit ? ', then Enter' : ''} to ${id}`,
      );
    });

  session
    .command('output <id>')
    .description('print the last lines of a session (live while it runs, kept once it ended)')
    .option('-n, --lines <n>', 'how many lines (default 200)', intOption('--lines'))
    .action(async (id: string, opts, cmd: Command) => {
      const output = await clientFor(cmd).sessions.output(id, opts.lines);
      emit(globals(cmd).output, output, (o) => o.lines.join('\n'));
    });

  session
    .command('diff <id>')
    .description(
      'what the session changed since the commit it started from (its worktree, or its directory), uncommitted and untracked changes included',
    )
    .option('--stat', 'files and counts only')
    .option('-U, --context <n>', 'lines of context around each change (default 3)', intOption('--context'))
    .action(async (id: string, opts, cmd: Command) => {
      const diff = await clientFor(cmd).sessions.diff(id, { stat: opts.stat === true, context: opts.context });
      emit(globals(cmd).output, diff, (d) => prettyDiff(d, shouldColour()));
    });

  session
    .command('finish <id>')
    .description(
      "bring a worktree session's work back: --merge commits what is left and merges its branch into the main checkout (nothing changes on a conflict, which names the files), --keep removes the worktree and keeps the branch, --discard removes both; ends it first if it runs",
    )
    .option('--merge', 'merge its branch into the main checkout, then remove the worktree and the branch')
    .option('--keep', 'remove the worktree, keep the branch')
    .option('--discard', 'remove the worktree and the branch, losing the work')
    .option('-m, --message <text>', "commit message for what is uncommitted (default: its task's title)")
    .option('--ff', "merge fast-forward when it can (default: the project's merge strategy)")
    .option('--no-ff', 'always make a merge commit')
    .option('-y, --yes', 'do not ask before discarding')
    .action(async (id: string, opts, cmd: Command) => {
      const actions = (['merge', 'keep', 'discard'] as const).filter((a) => opts[a] === true);
      if (actions.length !== 1) throw new Error('finish: give one of --merge, --keep or --discard');
      const action = actions[0] as 'merge' | 'keep' | 'discard';
      if (action === 'discard') await confirm(`discard session ${id}'s worktree and branch, and the work on them?`, opts.yes);
      const done = await clientFor(cmd).sessions.finish(id, { action, message: opts.message, fastForward: opts.ff });
      emit(globals(cmd).output, done, (d) =>
        d.action === 'merge'
          ? `merged ${d.branch} into ${d.into ?? 'HEAD'} (${d.commit?.slice(0, 12)}); worktree and branch removed`
          : d.action === 'keep'
            ? `kept branch ${d.branch}; worktree removed`
            : `discarded ${d.branch} and its worktree`,
      );
    });

  session
    .command('log <id>')
    .description("print a session's transcript: everything its terminal printed, raw, as your terminal replays it")
    .option('-f, --follow', 'go on printing what it prints until it ends (Ctrl-C stops)')
    .action(async (id: string, opts, cmd: Command) => {
      const transcript = await clientFor(cmd).sessions.log(id, { follow: opts.follow ?? false });
      const reader = transcript.getReader();
      for (let next = await reader.read(); !next.done; next = await reader.read()) process.stdout.write(next.value);
    });

  session
    .command('attach <id>')
    .description("attach your terminal to a running session's tmux session (detach with Ctrl-b d)")
    .action(async (id: string, _opts, cmd: Command) => {
      const client = clientFor(cmd);
      const [s, health] = await Promise.all([client.sessions.get(id), client.health()]);
      if (s.runtime.kind !== 'tmux' || !s.runtime.tmuxSession) throw new Error(`session ${id} has no tmux session`);
      if (s.completedAt) throw new Error(`session ${id} has ended (${s.endReason}); see \`maestro session output ${id}\``);
      // The tmux socket asked of the server is its node's: the session must run on that node.
      if (s.runtime.host !== health.runtime.host)
        throw new Error(
          `session ${id} runs on node ${s.runtime.host}, not on ${health.runtime.host} (the server at ${globals(cmd).url}): attach on ${s.runtime.host}'s machine with --url naming that node, or open its terminal in the dashboard`,
        );
      await execa('tmux', ['-L', health.runtime.tmuxSocket, 'attach-session', '-t', `=${s.runtime.tmuxSession}`], {
        stdio: 'inherit',
        env: { TMUX: undefined },
      });
    });

  session
    .command('export <id>')
    .description('write the session metadata as JSON (validates against `maestro schema session`)')
    .option('-f, --file <path>', 'where to write it', 'metadata.json')
    .action(async (id: string, opts, cmd: Command) => {
      const metadata = await clientFor(cmd).sessions.get(id);
      await writeFile(opts.file, `${JSON.stringify(metadata, null, 2)}\n`);
      emit(globals(cmd).output, { exported: id, file: opts.file }, () => `wrote ${opts.file}`);
    });

  session
    .command('import [file]')
    .description('create a session from exported metadata (default metadata.json)')
    .action(async (file: string | undefined, _opts, cmd: Command) => {
      const path = file ?? 'metadata.json';
      let metadata: unknown;
      try {
        metadata = JSON.parse(await readFile(path, 'utf8'));
      } catch (err) {
        throw new Error(`${path}: expected session metadata JSON (${err instanceof Error ? err.message : String(err)})`);
      }
      emit(globals(cmd).output, await clientFor(cmd).sessions.import(metadata as Session), prettySession);
    });

  session
    .command('update <id>')
    .description("change a session's name, feature request or phase (status moves with `transition`)")
    .option('--name <name>', 'new name')
    .option('--feature-request <text>', 'new feature request')
    .addOption(new Option('--phase <phase>', 'new phase').choices(SESSION_PHASES))
    .option('--version <n>', IF_VERSION, intOption('--version'))
    .action(async (id: string, opts, cmd: Command) => {
      const updated = await clientFor(cmd).sessions.update(id, {
        name: opts.name,
        featureRequest: opts.featureRequest,
        phase: opts.phase,
        version: opts.version,
      });
      emit(globals(cmd).output, updated, prettySession);
    });

  session
    .command('link <id> <taskId>')
    .description('link a session to a task (both ways)')
    .action(async (id: string, taskId: string, _opts, cmd: Command) =>
      emit(globals(cmd).output, await clientFor(cmd).sessions.linkTask(id, taskId), prettySession),
    );

  session
    .command('unlink <id> <taskId>')
    .description('unlink a session from a task (both ways)')
    .action(async (id: string, taskId: string, _opts, cmd: Command) =>
      emit(globals(cmd).output, await clientFor(cmd).sessions.unlinkTask(id, taskId), prettySession),
    );

  session
    .command('delete <id>')
    .description('delete a session with its task links, and kill its tmux session')
    .option('-y, --yes', 'do not ask for confirmation')
    .action(async (id: string, opts: { yes?: boolean }, cmd: Command) => {
      await confirm(`delete session ${id} (its tmux session killed if running)?`, opts.yes);
      await clientFor(cmd).sessions.delete(id);
      emit(globals(cmd).output, { deleted: id }, () => `deleted ${id}`);
    });
}
