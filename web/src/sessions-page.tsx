import { useDeferredValue, useMemo, useState } from 'react';
import { useNavigate } from 'react-router';
import { useLiveState, useNow } from './context.js';
import { Modal } from './dialog.js';
import { useKeys } from './keys.js';
import { endedRows, sessionRows, words } from './rows.js';
import { SessionList } from './session-list.js';
import { SpawnForm } from './spawn-form.js';

/** The main view: live sessions by project, the ended ones folded below; search, spawn, and j/k/Enter to move and open. */
export function SessionsPage() {
  const { active, ended, projects, tasks, loadingEnded } = useLiveState();
  const now = useNow();
  const navigate = useNavigate();
  const [query, setQuery] = useState('');
  const [showEnded, setShowEnded] = useState(false);
  const [spawning, setSpawning] = useState(false);
  const [selected, setSelected] = useState(-1);
  // Typing stays quick with 10,000 sessions: the list follows the box a moment later.
  const search = words(useDeferredValue(query));
  const key = search.join(' ');
  // Sorting the ended sessions is the costly part: only when they, or the search, change.
  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` stands for `search`, a new array each render
  const endedSorted = useMemo(() => endedRows(ended, search, projects, tasks), [ended, key, projects, tasks]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: as above
  const rows = useMemo(
    () => sessionRows(active, endedSorted, showEnded, search, projects, tasks),
    [active, endedSorted, showEnded, key, projects, tasks],
  );

  /** The next session row from `from` in direction `step`, or `from` when there is none. */
  const move = (from: number, step: 1 | -1) => {
    for (let i = from + step; i >= 0 && i < rows.length; i += step) if (rows[i]?.kind === 'session') return i;
    return from;
  };
  const chosen = rows[selected];
  const open = (focus?: 'answer') => {
    if (chosen?.kind === 'session') navigate(`/sessions/${chosen.summary.id}`, { state: focus ? { focus } : null });
  };
  useKeys({
    j: () => setSelected((i) => move(i, 1)),
    k: () => setSelected((i) => move(i < 0 ? rows.length : i, -1)),
    Enter: () => open(),
    a: () => open('answer'),
    '/': () => document.getElementById('session-search')?.focus(),
  });

  return (
    <section className="page" aria-labelledby="sessions-title">
      <div className="toolbar">
        <h1 id="sessions-title">Sessions</h1>
        <input
          id="session-search"
          type="search"
          aria-label="Search sessions"
          placeholder="Search: name, state, project, task…  ( / )"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Escape') (e.target as HTMLInputElement).blur();
          }}
        />
        <span className="muted" data-counts>
          {active.size} live · {ended.size.toLocaleString()} ended{loadingEnded ? ' (loading…)' : ''}
        </span>
        <button type="button" className="primary" onClick={() => setSpawning(true)}>
          New session
        </button>
      </div>
      {rows.length === 0 ? (
        <p className="muted empty">
          {active.size + ended.size === 0
            ? 'No sessions yet. Start one with “New session”, or run maestro session spawn.'
            : 'No session matches.'}
        </p>
      ) : (
        <SessionList rows={rows} tasks={tasks} now={now} selected={selected} onToggleEnded={() => setShowEnded((v) => !v)} />
      )}
      <Modal open={spawning} onOpenChange={setSpawning} title="New session">
        <SpawnForm onDone={() => setSpawning(false)} />
      </Modal>
    </section>
  );
}
