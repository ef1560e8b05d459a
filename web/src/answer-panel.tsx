import { type FormEvent, useEffect, useState } from 'react';
import { MaestroApiError, type Prompt, type Session } from '../../src/client/index.js';
import type { Live } from './live.js';

/** How often the agent's screen is read while the page is open, in milliseconds. */
const PROMPT_POLL_MS = 2000;

/**
 * Talk to a live agent: what its screen asks now (read by its agent's detector), with one button
 * per offered choice — the keys that agent expects are sent for you — or a box for a free-text
 * answer; and a line to type anything into its terminal.
 */
export function AnswerPanel({ live, session, onError }: { live: Live; session: Session; onError: (message: string) => void }) {
  const [prompt, setPrompt] = useState<Prompt | null>(null);
  const [text, setText] = useState('');
  const [reply, setReply] = useState('');

  useEffect(() => {
    let stop = false;
    const read = async () => {
      try {
        const next = await live.client.sessions.prompt(session.id);
        if (!stop) setPrompt(next);
      } catch {
        // Ended or gone meanwhile: the page shows it.
      }
    };
    void read();
    const timer = setInterval(read, PROMPT_POLL_MS);
    return () => {
      stop = true;
      clearInterval(timer);
    };
  }, [live, session.id]);

  const act = async (action: () => Promise<unknown>) => {
    try {
      await action();
      setPrompt(await live.client.sessions.prompt(session.id).catch(() => null));
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
  const waiting = prompt?.state === 'waiting' ? prompt.waitingFor : null;

  return (
    <section className="answer" aria-label="Talk to the agent">
      {waiting ? (
        <fieldset className="waiting" aria-label={`The agent asks (${waiting.reason})`}>
          <pre>{waiting.message}</pre>
          {waiting.choices?.length ? (
            <div className="row">
              {waiting.choices.map((choice, i) => (
                <button
                  key={choice}
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
              <input aria-label="Your answer" value={reply} onChange={(e) => setReply(e.target.value)} />
              <button type="submit" disabled={reply === ''}>
                Answer
              </button>
            </form>
          )}
        </fieldset>
      ) : prompt && prompt.agent !== 'generic' ? (
        <p className="muted">
          {prompt.agent} is {prompt.state === 'unknown' ? 'running' : prompt.state}
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
