import { type FormEvent, lazy, Suspense, useState } from 'react';
import { BrowserRouter, Route, Routes } from 'react-router';
import { LiveContext, useLiveState } from './context.js';
import { Layout } from './layout.js';
import type { Live } from './live.js';
import { ProjectsPage } from './projects-page.js';
import { SessionsPage } from './sessions-page.js';
import { TasksPage } from './tasks-page.js';
import { keepToken } from './token.js';

// The heavy parts load when first opened, so the list paints without them: a session's page brings
// xterm.js, diff2html and highlight.js; the activity page uPlot.
const SessionPage = lazy(() => import('./session-page.js').then((m) => ({ default: m.SessionPage })));
const ActivityPage = lazy(() => import('./activity-page.js').then((m) => ({ default: m.ActivityPage })));

/** Asked for when the server answers 401: its `MAESTRO_TOKEN`, kept for this tab, then a reload. */
function TokenForm() {
  const [token, setToken] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    keepToken(token.trim(), sessionStorage);
    location.reload();
  };
  return (
    <main className="page">
      <h1>Maestro</h1>
      <span className="conn unauthorized" role="status">
        ○ token needed
      </span>
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

/** The pages; their paths are also served by the server as the page itself (src/server/routes/dashboard.ts). */
function Pages() {
  const { connection } = useLiveState();
  if (connection === 'unauthorized') return <TokenForm />;
  return (
    <Routes>
      <Route element={<Layout />}>
        <Route index element={<SessionsPage />} />
        <Route
          path="sessions/:id/:tab?"
          element={
            <Suspense fallback={<p className="muted">Loading…</p>}>
              <SessionPage />
            </Suspense>
          }
        />
        <Route path="projects" element={<ProjectsPage />} />
        <Route path="tasks" element={<TasksPage />} />
        <Route
          path="activity"
          element={
            <Suspense fallback={<p className="muted">Loading…</p>}>
              <ActivityPage />
            </Suspense>
          }
        />
        <Route path="*" element={<SessionsPage />} />
      </Route>
    </Routes>
  );
}

export function App({ live }: { live: Live }) {
  return (
    <LiveContext.Provider value={live}>
      <BrowserRouter>
        <Pages />
      </BrowserRouter>
    </LiveContext.Provider>
  );
}
