import * as Tabs from '@radix-ui/react-tabs';
import { useContext, useEffect, useState } from 'react';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { type Session, sessionStatusLabel, sessionSummary } from '../../src/client/index.js';
import { AnswerPanel } from './answer-panel.js';
import { ErrorContext, useFullSession, useLive, useLiveState, useNow } from './context.js';
import { DiffView } from './diff-view.js';
import { money } from './format.js';
import { useKeys } from './keys.js';
import { RelTime } from './rel-time.js';
import { SessionActions } from './session-actions.js';
import { SessionDetails } from './session-details.js';

import { SessionTimeline } from './session-timeline.js';
import { StateBadge } from './state-badge.js';
import { TerminalView } from './terminal-view.js';

const TABS = ['terminal', 'diff', 'timeline', 'details'] as const;
type Tab = (typeof TABS)[number];

/** Focuses what answers a waiting agent: its first choice, or its answer box; else the line that types into the terminal. */
export function focusAnswer(): boolean {
  const target =
    document.querySelector<HTMLElement>('[data-answer]') ??
    document.querySelector<HTMLElement>('[aria-label="Type into the terminal"]');
  target?.focus();
  return target !== null;
}

/** The last lines an ended session kept (its terminal is gone). */
function LastLines({ session }: { session: Session }) {
  const live = useLive();
  const [lines, setLines] = useState<string[] | null>(null);
  useEffect(() => {
    let stop = false;
    live.client.sessions
      .output(session.id, 200)
      .then(({ lines }) => {
        if (!stop) setLines(lines);
      })
      .catch(() => setLines([]));
    return () => {
      stop = true;
    };
  }, [live, session.id]);
  return (
    <pre className="terminal" data-terminal>
      {lines === null ? 'reading…' : lines.length > 0 ? lines.join('\n') : '(no output)'}
    </pre>
  );
}

/** The page of one session (`/sessions/:id/:tab`): state, actions, the answer panel while it waits, and tabs. */
export function SessionPage() {
  const { id = '', tab = 'terminal' } = useParams();
  const full = useFullSession(id);
  const live = useLive();
  const report = useContext(ErrorContext);
  const now = useNow();
  const navigate = useNavigate();
  const location = useLocation();
  const { projects } = useLiveState();
  const current: Tab = (TABS as readonly string[]).includes(tab) ? (tab as Tab) : 'terminal';
  const showTab = (next: string) => navigate(`/sessions/${id}${next === 'terminal' ? '' : `/${next}`}`, { replace: true });
  const focusTerminal = () => {
    showTab('terminal');
    // The tab draws first; the terminal's own textarea takes the keys.
    requestAnimationFrame(() => document.querySelector<HTMLElement>('[data-terminal-live] textarea')?.focus());
  };
  useKeys({ t: focusTerminal, a: () => void focusAnswer() });

  const ready = full.state === 'ready';
  const askedFocus = (location.state as { focus?: string } | null)?.focus;
  useEffect(() => {
    if (ready && askedFocus === 'answer') requestAnimationFrame(() => focusAnswer());
  }, [ready, askedFocus]);

  if (full.state === 'loading') return <p className="muted page">Reading the session…</p>;
  if (full.state === 'gone')
    return (
      <section className="page">
        <h1>Session not found</h1>
        <p>
          <code>{id}</code> does not exist (any more). <Link to="/">Back to the sessions</Link>
        </p>
      </section>
    );
  if (full.state === 'error')
    return (
      <section className="page">
        <h1>Session {id}</h1>
        <p role="alert">It could not be read: {full.message}</p>
      </section>
    );
  const s = full.session;
  const running = s.completedAt === null;
  const tmux = running && s.runtime.kind === 'tmux';
  return (
    <section className="page session" aria-labelledby="session-title" data-session-page={s.id}>
      <nav aria-label="Breadcrumb" className="crumbs">
        <Link to="/">Sessions</Link> › {projects.get(s.projectId)?.name ?? s.projectId}
      </nav>
      <header className="row title">
        <StateBadge summary={sessionSummary(s)} />
        <h1 id="session-title">{s.name}</h1>
        <span className="muted">
          workflow: {sessionStatusLabel(s)}
          {s.phase ? ` (${s.phase})` : ''} · started <RelTime iso={s.createdAt} now={now} /> · {money(sessionSummary(s).costUsd)}
        </span>
      </header>
      <SessionActions session={s} />
      {tmux ? <AnswerPanel live={live} session={s} onError={report} /> : null}
      <Tabs.Root value={current} onValueChange={showTab} className="tabs">
        <Tabs.List aria-label="Session views" className="tab-list">
          <Tabs.Trigger value="terminal">Terminal{running ? '' : ' (last lines)'}</Tabs.Trigger>
          <Tabs.Trigger value="diff">Diff</Tabs.Trigger>
          <Tabs.Trigger value="timeline">Timeline</Tabs.Trigger>
          <Tabs.Trigger value="details">Details</Tabs.Trigger>
        </Tabs.List>
        <Tabs.Content value="terminal">
          {tmux ? <TerminalView live={live} session={s} readOnly={false} /> : <LastLines session={s} />}
        </Tabs.Content>
        <Tabs.Content value="diff">
          {s.gitContext.commit && s.launch ? (
            <DiffView live={live} session={s} />
          ) : (
            <p className="muted">No diff: this session did not start from a git commit.</p>
          )}
        </Tabs.Content>
        <Tabs.Content value="timeline">
          <SessionTimeline session={s} />
        </Tabs.Content>
        <Tabs.Content value="details">
          <SessionDetails session={s} now={now} />
        </Tabs.Content>
      </Tabs.Root>
    </section>
  );
}
