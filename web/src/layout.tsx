import { useEffect, useMemo, useRef, useState } from 'react';
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

/**
 * Shows a browser notification when a live agent starts waiting for its user (once permission is
 * granted): for each session that waits now and did not at the last change. Remembers only who
 * waits now, so it stays as small as the list of waiting agents.
 */
function useWaitingNotifications(waiting: SessionSummary[], permission: NotificationPermission | null): void {
  const before = useRef<ReadonlySet<string> | null>(null);
  useEffect(() => {
    const now = new Set(waiting.map((s) => s.id));
    const previous = before.current;
    before.current = now;
    // Not for the agents already waiting when the page opened.
    if (previous === null || permission !== 'granted') return;
    for (const s of waiting)
      if (!previous.has(s.id)) new Notification(`${s.name ?? s.id} is waiting for you (${s.waitingReason ?? 'unknown'})`);
  }, [waiting, permission]);
}

/**
 * The page's notification permission (null without notifications), read once and then followed
 * by its change event: reading `Notification.permission` asks the browser process each time
 * (about a millisecond in Chromium), too slow for every render.
 */
function useNotificationPermission(): [NotificationPermission | null, () => void] {
  const [permission, setPermission] = useState(() => ('Notification' in window ? Notification.permission : null));
  useEffect(() => {
    let status: PermissionStatus | undefined;
    const follow = () => setPermission(Notification.permission);
    navigator.permissions
      ?.query({ name: 'notifications' })
      .then((s) => {
        status = s;
        s.addEventListener('change', follow);
      })
      .catch(() => undefined);
    return () => status?.removeEventListener('change', follow);
  }, []);
  const ask = () => void Notification.requestPermission().then(setPermission);
  return [permission, ask];
}

/** Every page's frame: the header with what needs you, the navigation, the server's failing loops, errors, and the global keys. */
export function Layout() {
  const { connection, active, failingLoops } = useLiveState();
  const navigate = useNavigate();
  const location = useLocation();
  const [error, setError] = useState<string | null>(null);
  const [help, setHelp] = useState(false);
  const waiting = useMemo(() => waitingSessions(active), [active]);
  const [permission, askPermission] = useNotificationPermission();
  useWaitingNotifications(waiting, permission);

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
        {permission === 'default' ? (
          <button type="button" className="link" onClick={askPermission}>
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
