import { type FormEvent, useState } from 'react';
import type { Project } from '../../src/client/index.js';
import { useAct, useLive } from './context.js';
import { splitArgs } from './format.js';

/** Creates a project, or edits `project`: name, repository, description, priority, agent command and settings. */
export function ProjectForm({ project, onDone }: { project?: Project; onDone: () => void }) {
  const live = useLive();
  const act = useAct();
  const [name, setName] = useState(project?.name ?? '');
  const [repoPath, setRepoPath] = useState(project?.repoPath ?? '');
  const [description, setDescription] = useState(project?.description ?? '');
  const [priority, setPriority] = useState(String(project?.priority ?? 0));
  const [agentCommand, setAgentCommand] = useState(project?.agentCommand?.join(' ') ?? '');
  const [mergeStrategy, setMergeStrategy] = useState<Project['mergeStrategy']>(project?.mergeStrategy ?? 'merge_commit');
  const [autoTaskStatus, setAutoTaskStatus] = useState(project?.autoTaskStatus ?? true);
  const [enqueue, setEnqueue] = useState(false);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const fields = {
      name: name.trim(),
      repoPath: repoPath.trim(),
      description,
      priority: Number(priority),
      agentCommand: agentCommand.trim() ? splitArgs(agentCommand) : null,
      mergeStrategy,
      autoTaskStatus,
    };
    void act(async () => {
      if (project) await live.client.projects.update(project.id, fields);
      else await live.client.projects.create({ ...fields, enqueue });
      onDone();
    });
  };
  return (
    <form className="form" onSubmit={submit} aria-label={project ? `Edit project ${project.name}` : 'New project'}>
      <label htmlFor="project-name">Name</label>
      <input id="project-name" required value={name} onChange={(e) => setName(e.target.value)} />
      <label htmlFor="project-repo">Repository</label>
      <input
        id="project-repo"
        required
        value={repoPath}
        onChange={(e) => setRepoPath(e.target.value)}
        placeholder="/home/me/src/web (absolute)"
      />
      <label htmlFor="project-description">Description</label>
      <textarea id="project-description" rows={2} value={description} onChange={(e) => setDescription(e.target.value)} />
      <label htmlFor="project-priority">Priority</label>
      <input
        id="project-priority"
        type="number"
        min={-1000}
        max={1000}
        value={priority}
        onChange={(e) => setPriority(e.target.value)}
      />
      <label htmlFor="project-agent">Agent command</label>
      <input
        id="project-agent"
        value={agentCommand}
        onChange={(e) => setAgentCommand(e.target.value)}
        placeholder="what the queue spawns, e.g. claude"
      />
      <label htmlFor="project-merge">Merge</label>
      <select
        id="project-merge"
        value={mergeStrategy}
        onChange={(e) => setMergeStrategy(e.target.value as Project['mergeStrategy'])}
      >
        <option value="merge_commit">always a merge commit</option>
        <option value="fast_forward">fast-forward when it can</option>
      </select>
      <span />
      <label className="check">
        <input type="checkbox" checked={autoTaskStatus} onChange={(e) => setAutoTaskStatus(e.target.checked)} /> tasks follow
        their sessions
      </label>
      {project ? null : (
        <>
          <span />
          <label className="check">
            <input type="checkbox" checked={enqueue} onChange={(e) => setEnqueue(e.target.checked)} /> put it in the queue
          </label>
        </>
      )}
      <span />
      <div className="row">
        <button type="submit" className="primary">
          {project ? 'Save' : 'Create project'}
        </button>
      </div>
    </form>
  );
}
