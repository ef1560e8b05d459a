import { FitAddon } from '@xterm/addon-fit';
import { SearchAddon } from '@xterm/addon-search';
import { WebLinksAddon } from '@xterm/addon-web-links';
import { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import type { Session } from '../../src/client/index.js';
import type { Live } from './live.js';

/** What the connection is doing, for the line above the terminal. */
type Link = { state: 'connecting' } | { state: 'live' } | { state: 'closed'; why: string };

/**
 * A live session's terminal in the page (`@xterm/xterm`, with its fit, search and web-links
 * add-ons), attached over the session's terminal WebSocket: the screen with its colours on
 * connect, then every change; what is typed reaches the agent (unless watch-only); the terminal
 * fits its box and the session's window follows (docs/design.md §Browser terminal).
 */
export function TerminalView({ live, session, readOnly }: { live: Live; session: Session; readOnly: boolean }) {
  const box = useRef<HTMLDivElement>(null);
  const searcher = useRef<SearchAddon | null>(null);
  const [link, setLink] = useState<Link>({ state: 'connecting' });
  const [query, setQuery] = useState('');

  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const term = new Terminal({ fontSize: 13, scrollback: 5000, cursorBlink: !readOnly, disableStdin: readOnly });
    const fit = new FitAddon();
    const search = new SearchAddon();
    term.loadAddon(fit);
    term.loadAddon(search);
    term.loadAddon(new WebLinksAddon());
    searcher.current = search;
    term.open(element);
    fit.fit();
    const socket = new WebSocket(live.client.terminalUrl(session.id, { cols: term.cols, rows: term.rows, readOnly }));
    socket.binaryType = 'arraybuffer';
    const send = (message: object) => {
      if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
    };
    socket.onopen = () => setLink({ state: 'live' });
    socket.onmessage = (e) => term.write(new Uint8Array(e.data as ArrayBuffer));
    socket.onclose = (e) => setLink({ state: 'closed', why: e.reason || `closed (${e.code})` });
    const typed = term.onData((data) => send({ type: 'input', data }));
    const resized = term.onResize(({ cols, rows }) => send({ type: 'resize', cols, rows }));
    // The box follows the page; the terminal follows the box; the session's window follows the terminal.
    const observer = new ResizeObserver(() => fit.fit());
    observer.observe(element);
    return () => {
      observer.disconnect();
      typed.dispose();
      resized.dispose();
      socket.close();
      term.dispose();
      searcher.current = null;
    };
  }, [live, session.id, readOnly]);

  const find = (e: FormEvent) => {
    e.preventDefault();
    searcher.current?.findNext(query);
  };

  return (
    <div className="terminal-view">
      <form className="row" onSubmit={find}>
        <span className="muted" role="status" aria-label="Terminal connection">
          {link.state === 'live'
            ? `● live${readOnly ? ' (watching)' : ''}`
            : link.state === 'connecting'
              ? '… connecting'
              : `○ ${link.why}`}
        </span>
        <input aria-label="Find in terminal" placeholder="find" value={query} onChange={(e) => setQuery(e.target.value)} />
        <button type="submit" disabled={query === ''}>
          Find
        </button>
      </form>
      <div ref={box} className="xterm-box" data-terminal data-terminal-live />
    </div>
  );
}
