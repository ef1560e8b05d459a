import { type FormEvent, useEffect, useState } from 'react';
import { useNavigate } from 'react-router';
import type { AgentKind } from '../../src/client/index.js';
import { useAct, useLive, useLiveState } from './context.js';
import { splitArgs } from './format.js';

/**
 * Agents' usual command lines, to start from instead of typing one: each runs interactively in its
 * session's terminal (Maestro wires its hooks; docs/design.md §Hooks), and picking one tells the
 * server which agent's screens to read.
 */
const AGENT_PRESETS: readonly AgentKind[] = ['claude', 'codex', 'gemini', 'aider', 'opencode'];

/**
 * Spawns a command in a project the person chooses (no silent default), optionally for a task,
 * named, in a new worktree from a chosen branch; then opens the new session's page.
 */
export function SpawnForm({ onDone }: { onDone: () => void }) {
  const live = useLive();
  const { projects, tasks } = useLiveState();
  const act = useAct();
  const navigate = useNavigate();
  const [projectId, setProjectId] = useState(projects.size === 1 ? ([...projects.keys()][0] as string) : '');
  const [taskId, setTaskId] = useState('');
  const [name, setName] = useState('');
  const [agent, setAgent] = useState<AgentKind | ''>('');
  const [command, setCommand] = useState('');
  const [inWorktree, setInWorktree] = useState(false);
  const [baseBranch, setBaseBranch] = useState('');
  const [branches, setBranches] = useState<string[]>([]);
  const projectAgent = projects.get(projectId)?.agentCommand?.join(' ') ?? '';

  // The branches a worktree may start from, read when a worktree is asked for.
  useEffect(() => {
    if (!inWorktree || !projectId) return;
    let stop = false;
    live.client.projects
      .branches(projectId)
      .then((b) => {
        if (stop) return;
        setBranches(b.branches);
        setBaseBranch(b.current ?? b.branches[0] ?? '');
      })
      .catch(() => undefined);
    return () => {
      stop = true;
    };
  }, [live, inWorktree, projectId]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void act(async () => {
      const created = await live.client.sessions.spawn({
        projectId,
        command: splitArgs(command),
        ...(taskId ? { taskId } : {}),
        ...(name.trim() ? { name: name.trim() } : {}),
        ...(agent ? { agent } : {}),
        ...(inWorktree ? { worktree: true, ...(baseBranch ? { baseBranch } : {}) } : {}),
      });
      onDone();
      navigate(`/sessions/${created.id}`);
    });
  };

  if (projects.size === 0)
    return (
      <p className="muted">
        No project yet: create one on the <a href="/projects">Projects</a> page first.
      </p>
    );
  return (
    <form className="form" onSubmit={submit} aria-label="Spawn a session">
      <label htmlFor="spawn-project">Project</label>
      <select
        id="spawn-project"
        required
        value={projectId}
        onChange={(e) => {
          // A task of the project left behind would be refused with the new one.
          setProjectId(e.target.value);
          setTaskId('');
        }}
      >
        <option value="">choose a project…</option>
        {[...projects.values()].map((p) => (
          <option key={p.id} value={p.id}>
            {p.name}
          </option>
        ))}
      </select>
      <label htmlFor="spawn-task">Task</label>
      <select id="spawn-task" value={taskId} onChange={(e) => setTaskId(e.target.value)}>
        <option value="">none</option>
        {[...tasks.values()]
          .filter((t) => t.projectId === projectId)
          .map((t) => (
            <option key={t.id} value={t.id}>
              {t.title}
            </option>
          ))}
      </select>
      <label htmlFor="spawn-name">Name</label>
      <input id="spawn-name" value={name} onChange={(e) => setName(e.target.value)} placeholder="optional" />
      <label htmlFor="spawn-agent">Agent</label>
      <select
        id="spawn-agent"
        value={agent === '' && command === projectAgent && projectAgent ? 'project' : agent}
        onChange={(e) => {
          const chosen = e.target.value;
          if (chosen === 'project') {
            setAgent('');
            setCommand(projectAgent);
          } else {
            setAgent(chosen as AgentKind | '');
            if (chosen) setCommand(chosen);
          }
        }}
      >
        <option value="">any command</option>
        {projectAgent ? <option value="project">this project's: {projectAgent}</option> : null}
        {AGENT_PRESETS.map((a) => (
          <option key={a} value={a}>
            {a}
          </option>
        ))}
      </select>
      <label htmlFor="spawn-command">Command</label>
      <input
        id="spawn-command"
        value={command}
        onChange={(e) => setCommand(e.target.value)}
        placeholder="claude 'fix the failing tests'"
        required
      />
      <span />
      <label className="check">
        <input type="checkbox" checked={inWorktree} onChange={(e) => setInWorktree(e.target.checked)} /> in a new worktree
      </label>
      {inWorktree ? (
        <>
          <label htmlFor="spawn-base">from branch</label>
          <select id="spawn-base" value={baseBranch} onChange={(e) => setBaseBranch(e.target.value)}>
            {branches.map((b) => (
              <option key={b} value={b}>
                {b}
              </option>
            ))}
          </select>
        </>
      ) : null}
      <span />
      <div className="row">
        <button type="submit" className="primary" disabled={!projectId}>
          Spawn
        </button>
      </div>
    </form>
  );
}
