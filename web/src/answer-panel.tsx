import { type FormEvent, useState } from 'react';
import { MaestroApiError, type Session } from '../../src/client/index.js';
import type { Live } from './live.js';

/**
 * Talk to a live agent: what it waits for (its `waitingFor`, read from its screen by the server's
 * watcher and kept current by the event stream, so nothing is polled), with one button per offered
 * choice — the keys that agent expects are sent for you — or a box for a free-text answer or its
 * next instruction; and a line to type anything into its terminal.
 */
export function AnswerPanel({ live, session, onError }: { live: Live; session: Session; onError: (message: string) => void }) {
  const [text, setText] = useState('');
  const [reply, setReply] = useState('');

  const act = async (action: () => Promise<unknown>) => {
    try {
      await action();
    } catch (err) {
      onError(err instanceof MaestroApiError ? err.message : String(err));
    }
  };
  const send = (e: FormEvent) => {
    e.preventDefault();
    const typed = text;
    setText('');
    void act(() => live.client.sessions.sendInput(session.id, { text: typed }));
  };
  const waiting = session.agentState === 'waiting' ? session.waitingFor : null;
  const atPrompt = waiting?.reason === 'idle_prompt';

  return (
    <section className="answer" aria-label="Talk to the agent">
      {waiting ? (
        <fieldset className="waiting" aria-label={`The agent asks (${waiting.reason})`}>
          <pre>{waiting.message || (atPrompt ? 'Done with its turn: waiting for your next instruction.' : '')}</pre>
          {waiting.choices?.length ? (
            <div className="row">
              {waiting.choices.map((choice, i) => (
                <button
                  key={choice}
                  data-answer={i + 1}
                  type="button"
                  onClick={() => act(() => live.client.sessions.answer(session.id, { choice: i + 1 }))}
                >
                  {i + 1}. {choice}
                </button>
              ))}
            </div>
          ) : (
            <form
              className="row"
              onSubmit={(e) => {
                e.preventDefault();
                const answer = reply;
                setReply('');
                void act(() => live.client.sessions.answer(session.id, { text: answer }));
              }}
            >
              <input
                data-answer="text"
                aria-label={atPrompt ? 'Next instruction' : 'Your answer'}
                value={reply}
                onChange={(e) => setReply(e.target.value)}
              />
              <button type="submit" disabled={reply === ''}>
                {atPrompt ? 'Send' : 'Answer'}
              </button>
            </form>
          )}
        </fieldset>
      ) : session.agentState ? (
        <p className="muted">
          {session.launch?.agent && session.launch.agent !== 'generic' ? session.launch.agent : 'the command'} is{' '}
          {session.agentState}
        </p>
      ) : null}
      <form className="row" onSubmit={send}>
        <input
          aria-label="Type into the terminal"
          value={text}
          onChange={(e) => setText(e.target.value)}
          placeholder="type, then Enter"
        />
        <button type="submit">Send</button>
      </form>
    </section>
  );
}
