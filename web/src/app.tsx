import { type FormEvent, useEffect, useState, useSyncExternalStore } from 'react';
import { MaestroApiError, type Session } from '../../src/client/index.js';
import { StatusChart, TaskGantt } from './charts.js';
import { splitArgs } from './format.js';
import type { Live } from './live.js';
import { ProjectsPanel } from './projects-panel.js';
import { SessionPage } from './session-page.js';
import { SessionsView } from './sessions-view.js';
import { keepToken } from './token.js';

/** Re-renders every `ms` milliseconds so ages stay current. */
function useNow(ms = 1000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}

/** The session id in the URL hash (`#/session/<id>`), or null. */
const readSelected = () => /^#\/session\/(.+)$/.exec(location.hash)?.[1] ?? null;

/** The selected session, from the URL hash (`#/session/<id>`). */
function useSelected(): [string | null, (id: string | null) => void] {
  const [selected, setSelected] = useState(readSelected);
  useEffect(() => {
    const onHash = () => setSelected(readSelected());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  return [selected, (id) => (location.hash = id ? `#/session/${id}` : '#/')];
}

/**
 * Agents' usual command lines, to start from instead of typing one: each runs interactively in its
 * session's terminal (Maestro wires its hooks; docs/design.md §Hooks).
 */
const AGENT_PRESETS: Record<string, string> = {
  claude: 'claude',
  codex: 'codex',
  gemini: 'gemini',
  aider: 'aider',
  opencode: 'opencode',
};

/** Shows a browser notification when a live agent starts waiting for its user (once permission is granted). */
function useWaitingNotifications(sessions: Session[]): void {
  const [notified] = useState(() => new Set<string>());
  useEffect(() => {
    for (const s of sessions) {
      const key = `${s.id}@${s.agentStateSince}`;
      if (!s.completedAt && s.agentState === 'waiting' && !notified.has(key)) {
        notified.add(key);
        if ('Notification' in window && Notification.permission === 'granted') {
          new Notification(`${s.name} is waiting for you (${s.waitingFor?.reason ?? 'unknown'})`, {
            body: s.waitingFor?.message ?? '',
          });
        }
      }
    }
  }, [sessions, notified]);
}

/** Asked for when the server answers 401: its `MAESTRO_TOKEN`, kept for this tab, then a reload. */
function TokenForm() {
  const [token, setToken] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    keepToken(token.trim(), sessionStorage);
    location.reload();
  };
  return (
    <main>
      <header className="top">
        <h1>Maestro</h1>
        <span className="conn unauthorized" role="status">
          ○ token needed
        </span>
      </header>
      <form className="token" onSubmit={submit}>
        <p>
          This server asks for its token (<code>MAESTRO_TOKEN</code>). It is kept for this tab only; you can also open the
          dashboard as <code>…/#token=&lt;token&gt;</code>.
        </p>
        <label>
          Token <input type="password" value={token} onChange={(e) => setToken(e.target.value)} autoComplete="off" />
        </label>{' '}
        <button type="submit" disabled={token.trim() === ''}>
          Open
        </button>
      </form>
    </main>
  );
}

export function App({ live }: { live: Live }) {
  const state = useSyncExternalStore(live.subscribe, live.getSnapshot);
  const now = useNow();
  const [selected, select] = useSelected();
  const [error, setError] = useState<string | null>(null);
  const [projectId, setProjectId] = useState('');
  const [taskId, setTaskId] = useState('');
  const [command, setCommand] = useState('');
  const [name, setName] = useState('');
  const [inWorktree, setInWorktree] = useState(false);
  const [baseBranch, setBaseBranch] = useState('');
  const [branches, setBranches] = useState<{ current: string | null; branches: string[] }>({ current: null, branches: [] });

  const sessions = [...state.sessions.values()];
  useWaitingNotifications(sessions);
  const waiting = sessions.filter((s) => !s.completedAt && s.agentState === 'waiting').length;
  const cost = sessions.reduce((sum, s) => sum + s.statistics.costUsd, 0);
  const tasks = [...state.tasks.values()];
  const projects = [...state.projects.values()];
  const queued = projects
    .filter((p) => p.status === 'queued')
    .sort((a, b) => b.priority - a.priority || (a.queuedAt ?? '').localeCompare(b.queuedAt ?? ''));
  const session = selected ? state.sessions.get(selected) : undefined;
  const chosenProject = projectId || projects[0]?.id || '';
  // The project's own agent command (the one its queue spawns) is its first preset.
  const projectAgent = state.projects.get(chosenProject)?.agentCommand?.join(' ') ?? '';

  // The branches a worktree may start from, read when a worktree is asked for.
  useEffect(() => {
    if (!inWorktree || !chosenProject) return;
    let stop = false;
    live.client.projects
      .branches(chosenProject)
      .then((b) => {
        if (!stop) {
          setBranches(b);
          setBaseBranch(b.current ?? b.branches[0] ?? '');
        }
      })
      .catch(() => undefined);
    return () => {
      stop = true;
    };
  }, [live, inWorktree, chosenProject]);

  const spawn = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      const created = await live.client.sessions.spawn({
        projectId: chosenProject,
        command: splitArgs(command),
        ...(taskId ? { taskId } : {}),
        ...(name.trim() ? { name: name.trim() } : {}),
        ...(inWorktree ? { worktree: true, ...(baseBranch ? { baseBranch } : {}) } : {}),
      });
      setCommand('');
      setName('');
      select(created.id);
    } catch (err) {
      setError(err instanceof MaestroApiError ? err.message : String(err));
    }
  };

  if (state.connection === 'unauthorized') return <TokenForm />;

  return (
    <main>
      <header className="top">
        <h1>Maestro</h1>
        <span className={`conn ${state.connection}`} role="status">
          {state.connection === 'live' ? '● live' : state.connection === 'loading' ? '… loading' : '○ reconnecting'}
        </span>
        <span className="muted">
          {sessions.filter((s) => !s.completedAt).length} active · event {state.seq}
        </span>
        {cost > 0 ? (
          <span className="muted" data-cost title="estimated cost of the sessions shown, from their agents' transcripts">
            ${cost.toFixed(2)} spent
          </span>
        ) : null}
        {waiting > 0 ? (
          <span className="badge warn" data-waiting={waiting}>
            {waiting} {waiting === 1 ? 'agent' : 'agents'} waiting for you
          </span>
        ) : null}
        {'Notification' in window && Notification.permission === 'default' ? (
          <button type="button" onClick={() => void Notification.requestPermission()}>
            Notify me when an agent waits
          </button>
        ) : null}
      </header>
      {[...state.failingLoops.values()].map((f) => (
        <div key={f.loop} className="error" role="alert">
          The server's {f.loop} is failing (since {f.since}): {f.message}. Details are in the server log.
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

      <section className="panel" aria-label="Spawn a session">
        <h2>Spawn</h2>
        {projects.length === 0 ? (
          <p className="muted">
            No project yet. Create one: <code>maestro project create --name web --repo ~/src/web</code>
          </p>
        ) : (
          <form className="row" onSubmit={spawn}>
            <label htmlFor="spawn-project">Project</label>
            <select
              id="spawn-project"
              value={chosenProject}
              onChange={(e) => {
                // A task of the project left behind would be refused with the new one.
                setProjectId(e.target.value);
                setTaskId('');
              }}
            >
              {projects.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </select>
            <label htmlFor="spawn-task">Task</label>
            <select id="spawn-task" value={taskId} onChange={(e) => setTaskId(e.target.value)}>
              <option value="">none</option>
              {tasks
                .filter((t) => t.projectId === chosenProject)
                .map((t) => (
                  <option key={t.id} value={t.id}>
                    {t.title}
                  </option>
                ))}
            </select>
            <label htmlFor="spawn-name">Name</label>
            <input id="spawn-name" value={name} onChange={(e) => setName(e.target.value)} placeholder="optional" size={16} />
            <label htmlFor="spawn-agent">Agent</label>
            <select
              id="spawn-agent"
              value=""
              onChange={(e) =>
                setCommand(e.target.value === 'project' ? projectAgent : (AGENT_PRESETS[e.target.value] ?? command))
              }
            >
              <option value="">preset…</option>
              {projectAgent ? <option value="project">this project's: {projectAgent}</option> : null}
              {Object.keys(AGENT_PRESETS).map((agent) => (
                <option key={agent} value={agent}>
                  {agent}
                </option>
              ))}
            </select>
            <label htmlFor="spawn-command">Command</label>
            <input
              id="spawn-command"
              className="grow"
              value={command}
              onChange={(e) => setCommand(e.target.value)}
              placeholder="claude -p 'fix the failing tests'"
              required
            />
            <label>
              <input type="checkbox" checked={inWorktree} onChange={(e) => setInWorktree(e.target.checked)} /> in a worktree
            </label>
            {inWorktree ? (
              <>
                <label htmlFor="spawn-base">from</label>
                <select id="spawn-base" value={baseBranch} onChange={(e) => setBaseBranch(e.target.value)}>
                  {branches.branches.map((b) => (
                    <option key={b} value={b}>
                      {b}
                    </option>
                  ))}
                </select>
              </>
            ) : null}
            <button type="submit">Spawn</button>
          </form>
        )}
      </section>

      {session ? (
        <SessionPage
          live={live}
          session={session}
          tasks={state.tasks}
          now={now}
          onError={setError}
          onClose={() => select(null)}
        />
      ) : null}

      <section className="panel" aria-label="Sessions">
        <h2>Sessions</h2>
        <SessionsView sessions={sessions} tasks={state.tasks} projects={state.projects} now={now} onOpen={select} />
      </section>

      <div className="grid">
        <section className="panel" aria-label="Charts">
          <h2>Over time</h2>
          <StatusChart sessions={sessions} now={now} />
          <TaskGantt tasks={tasks} sessions={state.sessions} now={now} />
        </section>
        <ProjectsPanel
          live={live}
          projects={projects}
          queued={queued}
          paused={state.paused}
          sessions={state.sessions}
          tasks={state.tasks}
          onError={setError}
        />
        <section className="panel" aria-label="Tasks">
          <h2>Tasks</h2>
          {tasks.length === 0 ? (
            <p className="muted">No tasks.</p>
          ) : (
            <ul className="plain">
              {tasks.map((t) => {
                const active = t.sessionIds.filter((id) => {
                  const s = state.sessions.get(id);
                  return s && !s.completedAt;
                }).length;
                return (
                  <li key={t.id} data-task={t.id}>
                    {t.title} <span className="muted">· {t.status}</span> · <span data-active-sessions>{active} active</span> /{' '}
                    {t.sessionIds.length} sessions
                  </li>
                );
              })}
            </ul>
          )}
        </section>
      </div>
    </main>
  );
}
