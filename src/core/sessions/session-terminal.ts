import {
  type AgentKind,
  type AnswerInput,
  answerInput,
  ConflictError,
  type Prompt,
  parseInput,
  type Session,
  type SessionInputBody,
  sessionInputBody,
  ValidationError,
} from '../../domain/index.js';
import { AGENT_SCREENS, readScreen } from '../agents/index.js';
import type { CoreDeps } from '../deps.js';
import type { AttachOptions, Runtime, TerminalClient } from '../runtime.js';
import type { AgentStates } from './agent-states.js';
import type { SessionExpiry } from './session-expiry.js';
import { requireLive } from './session-records.js';
import type { SessionWrites } from './session-writes.js';

/**
 * A live session's terminal, as people and agents use it: typing into it, reading what its screen
 * asks and answering it, stopping and continuing its processes (docs/design.md §Input, §Pause,
 * §Agent screens). Only the node that runs a session reaches its terminal.
 */
export class SessionTerminal {
  constructor(
    private readonly deps: CoreDeps & { runtime: Runtime },
    private readonly writes: Pick<SessionWrites, 'fetch' | 'mutate'>,
    private readonly expiry: Pick<SessionExpiry, 'expireDue'>,
    private readonly agentStates: Pick<AgentStates, 'set'>,
  ) {}

  /**
   * Types into a live session's terminal (docs/design.md §Input): `text` literally, then `keys`,
   * then Enter when `submit` (default true). Counts as activity; a waiting agent moves to `working` (the
   * user answered); appends `session:input_sent {id, length, keys}` (the text itself goes to the
   * terminal, not to the event log) and `session:updated`.
   * @throws ValidationError (bad body; a session without a runtime); NotFoundError; ConflictError
   *   when the session has ended or its tmux session is gone
   */
  async sendInput(id: string, input: SessionInputBody): Promise<Session> {
    const { text = '', keys = [], submit } = parseInput(sessionInputBody, input, 'body');
    return this.type(id, text, submit ? [...keys, 'Enter'] : keys);
  }

  /**
   * What a live session's screen shows now, read by its agent's detector (docs/design.md §Agent
   * screens): working, waiting (with the question and its choices), idle or unknown. A generic
   * command has no detector: `unknown`.
   * @throws ValidationError for a session without a runtime; NotFoundError; ConflictError once ended
   */
  async prompt(id: string): Promise<Prompt> {
    const { agent, tmuxSession } = await this.liveTerminal(id);
    if (agent === 'generic') return { agent, state: 'unknown', waitingFor: null };
    const reading = readScreen(AGENT_SCREENS[agent], await this.deps.runtime.screen(tmuxSession));
    return { agent, state: reading.state, waitingFor: reading.state === 'waiting' ? reading.waitingFor : null };
  }

  /**
   * Answers a waiting agent with the keys its prompt expects (docs/design.md §Input): `choice`
   * (1-based) or a `text` equal to a choice's label picks that choice (`AgentScreen.choiceKeys`);
   * other `text` answers a free-text question, or gives an agent at its input prompt its next
   * instruction (typed, then Enter). The screen is read at the moment of answering.
   * @throws ValidationError (bad body; no such choice; text where only choices are offered);
   *   NotFoundError; ConflictError when it has ended or is not waiting
   */
  async answer(id: string, input: AnswerInput): Promise<Session> {
    const { choice, text } = parseInput(answerInput, input, 'body');
    const prompt = await this.prompt(id);
    const waiting = prompt.waitingFor;
    // At its input prompt the agent waits for its next instruction: a text answers it.
    if (prompt.state === 'idle' && text !== undefined) return this.type(id, text, ['Enter']);
    if (prompt.state !== 'waiting' || !waiting || prompt.agent === 'generic')
      throw new ConflictError(`session ${id} is not waiting for an answer: its screen reads ${prompt.state}`, {
        sessionId: id,
        state: prompt.state,
      });
    const choices = waiting.choices ?? [];
    const index = choice !== undefined ? choice - 1 : choices.findIndex((c) => c.toLowerCase() === text?.toLowerCase());
    if (index >= 0 && index < choices.length) {
      const reason = waiting.reason === 'permission' ? 'permission' : 'question';
      return this.type(id, '', AGENT_SCREENS[prompt.agent].choiceKeys(index, choices, reason));
    }
    if (choices.length > 0)
      throw new ValidationError([
        {
          path: choice !== undefined ? 'body.choice' : 'body.text',
          message: `expected one of the ${choices.length} choices: ${choices.map((c, i) => `${i + 1}. ${c}`).join('; ')}`,
        },
      ]);
    return this.type(id, text ?? '', ['Enter']);
  }

  /**
   * Types `text` then `keys` into a live session (the runtime's `sendInput`): counts as activity,
   * moves a waiting agent to `working`, appends `session:input_sent {id, length, keys}` and `session:updated`.
   */
  private async type(id: string, text: string, keys: string[]): Promise<Session> {
    const { tmuxSession } = await this.liveTerminal(id);
    if (!(await this.deps.runtime.sendInput(tmuxSession, text, keys)))
      throw new ConflictError(`session ${id} has no tmux session to type into any more`, { sessionId: id });
    let sent = await this.writes.mutate(id, (s) => requireLive(s), {
      events: [{ type: 'session:input_sent', data: { id, length: text.length, keys: keys.length } }],
    });
    // Answered: the agent goes on (its screen says otherwise when the answer did not take).
    if (sent.agentState === 'waiting') sent = await this.agentStates.set(id, { state: 'working' });
    this.deps.log.info({ sessionId: id, length: text.length, keys: keys.length }, 'input sent');
    return sent;
  }

  /**
   * The tmux session of a live session, the agent it runs, and the node that runs it.
   * @throws NotFoundError; ConflictError once ended; ValidationError without a runtime
   */
  private async liveTerminal(id: string): Promise<{ tmuxSession: string; agent: AgentKind; host: string }> {
    await this.expiry.expireDue();
    const session = requireLive(await this.writes.fetch(id));
    if (session.runtime.kind !== 'tmux' || session.runtime.tmuxSession === null)
      throw new ValidationError([{ path: 'params.id', message: `session ${id} has no runtime to type into` }]);
    return {
      tmuxSession: session.runtime.tmuxSession,
      agent: session.launch?.agent ?? 'generic',
      host: session.runtime.host ?? this.deps.runtime.host,
    };
  }

  /**
   * Where a live session's terminal is (docs/design.md §Browser terminal): this node's tmux session
   * name, or the other node that runs it.
   * @throws NotFoundError; ConflictError once ended; ValidationError without a runtime
   */
  async locate(id: string): Promise<{ host: string; tmuxSession: string; here: boolean }> {
    const { tmuxSession, host } = await this.liveTerminal(id);
    return { host, tmuxSession, here: host === this.deps.runtime.host };
  }

  /**
   * Attaches a terminal client to a live session of this node (a viewer of the browser terminal):
   * the screen, then every change; what it types reaches the agent unless `readOnly`.
   * @throws NotFoundError; ConflictError once ended, when its tmux session is gone, or when it runs
   *   on another node (see {@link locate}); ValidationError without a runtime
   */
  async attach(id: string, options: AttachOptions): Promise<TerminalClient> {
    const { host, tmuxSession, here } = await this.locate(id);
    if (!here) throw new ConflictError(`session ${id} runs on ${host}: its terminal is there`, { sessionId: id, host });
    const client = await this.deps.runtime.attach(tmuxSession, options);
    if (!client) throw new ConflictError(`session ${id} has no tmux session to attach to any more`, { sessionId: id });
    this.deps.log.info({ sessionId: id, readOnly: options.readOnly }, 'terminal attached');
    return client;
  }

  /**
   * Pause pauses (docs/design.md §Pause): a session moved to `paused` has its processes stopped
   * (SIGSTOP to each pane's process group), and continued (SIGCONT) when it moves on. Only the
   * node that runs it can; a failure is logged, the move stands.
   */
  async stopOrContinue(session: Session, stop: boolean): Promise<void> {
    const { runtime } = session;
    if (runtime.kind !== 'tmux' || runtime.tmuxSession === null || runtime.host !== this.deps.runtime.host) return;
    const signal = stop ? 'SIGSTOP' : 'SIGCONT';
    try {
      if (await this.deps.runtime.signal(runtime.tmuxSession, signal))
        this.deps.log.info({ sessionId: session.id, signal }, stop ? 'session processes stopped' : 'session processes continued');
      else this.deps.log.warn({ sessionId: session.id, signal }, 'no tmux session to signal');
    } catch (err) {
      this.deps.log.warn({ sessionId: session.id, signal, err }, 'could not signal the session');
    }
  }
}
