import { useEffect, useMemo, useState } from 'react';
import { Link, NavLink, Outlet, useLocation, useNavigate } from 'react-router';
import type { SessionSummary } from '../../src/client/index.js';
import { ErrorContext, useLiveState } from './context.js';
import { Modal } from './dialog.js';
import { exact } from './format.js';
import { KEYS, useKeys } from './keys.js';

/** Live sessions whose agent waits for its user, the longest waiting first. */
function waitingSessions(active: ReadonlyMap<string, SessionSummary>): SessionSummary[] {
  return [...active.values()]
    .filter((s) => s.agentState === 'waiting')
    .sort((a, b) => a.lastActivityAt.localeCompare(b.lastActivityAt));
}

/** Shows a browser notification when a live agent starts waiting for its user (once permission is granted). */
function useWaitingNotifications(waiting: SessionSummary[]): void {
  const [notified] = useState(() => new Set<string>());
  useEffect(() => {
    for (const s of waiting) {
      const key = `${s.id}@${s.version}`;
      if (notified.has(key)) continue;
      notified.add(key);
      if ('Notification' in window && Notification.permission === 'granted')
        new Notification(`${s.name ?? s.id} is waiting for you (${s.waitingReason ?? 'unknown'})`);
    }
  }, [waiting, notified]);
}

/** Every page's frame: the header with what needs you, the navigation, the server's failing loops, errors, and the global keys. */
export function Layout() {
  const { connection, active, failingLoops } = useLiveState();
  const navigate = useNavigate();
  const location = useLocation();
  const [error, setError] = useState<string | null>(null);
  const [help, setHelp] = useState(false);
  const waiting = useMemo(() => waitingSessions(active), [active]);
  useWaitingNotifications(waiting);

  /** The waiting session after the one open now (the first when none is), round the list. */
  const nextWaiting = () => {
    if (waiting.length === 0) return;
    const open = /^\/sessions\/([^/]+)/.exec(location.pathname)?.[1];
    const at = waiting.findIndex((s) => s.id === open);
    navigate(`/sessions/${(waiting[(at + 1) % waiting.length] as SessionSummary).id}`);
  };
  useKeys({ w: nextWaiting, '?': () => setHelp(true) });

  return (
    <ErrorContext.Provider value={setError}>
      <header className="top">
        <Link to="/" className="brand">
          Maestro
        </Link>
        <nav aria-label="Main">
          <NavLink to="/" end>
            Sessions
          </NavLink>
          <NavLink to="/projects">Projects</NavLink>
          <NavLink to="/tasks">Tasks</NavLink>
          <NavLink to="/activity">Activity</NavLink>
        </nav>
        <span className="spacer" />
        {waiting.length > 0 ? (
          <button type="button" className="waiting-button" data-waiting={waiting.length} onClick={nextWaiting}>
            {waiting.length} {waiting.length === 1 ? 'agent' : 'agents'} waiting
          </button>
        ) : (
          <span className="muted" data-waiting={0}>
            no agent waiting
          </span>
        )}
        <span className={`conn ${connection}`} role="status" aria-label="Connection">
          {connection === 'live' ? '● live' : connection === 'loading' ? '… loading' : '○ reconnecting'}
        </span>
        {'Notification' in window && Notification.permission === 'default' ? (
          <button type="button" className="link" onClick={() => void Notification.requestPermission()}>
            Notify me
          </button>
        ) : null}
        <button type="button" className="keys-button" aria-label="Keyboard shortcuts" onClick={() => setHelp(true)}>
          ?
        </button>
      </header>
      <main>
        {[...failingLoops.values()].map((f) => (
          <div key={f.loop} className="error" role="alert">
            The server's {f.loop} is failing (since {exact(f.since)}): {f.message}. Details are in the server log.
          </div>
        ))}
        {error ? (
          <div className="error" role="alert">
            {error}{' '}
            <button type="button" onClick={() => setError(null)}>
              Dismiss
            </button>
          </div>
        ) : null}
        <Outlet />
      </main>
      <Modal open={help} onOpenChange={setHelp} title="Keyboard shortcuts">
        <dl className="keys">
          {KEYS.map(([key, what]) => (
            <div key={key}>
              <dt>
                <kbd>{key}</kbd>
              </dt>
              <dd>{what}</dd>
            </div>
          ))}
        </dl>
      </Modal>
    </ErrorContext.Provider>
  );
}
