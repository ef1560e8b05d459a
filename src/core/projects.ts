import { type CreateProjectInput, createProjectInput, NotFoundError, newId, type Project, parseInput } from '../domain/index.js';
import type { CoreDeps } from './deps.js';

/** Projects: the top of projects → tasks → sessions. */
export class ProjectService {
  constructor(private readonly deps: CoreDeps) {}

  /**
   * Creates a project and appends `project:created`.
   * @throws ValidationError on bad input; ConflictError when a client-given id exists
   */
  async create(input: CreateProjectInput): Promise<Project> {
    const data = parseInput(createProjectInput, input, 'body');
    const now = new Date(this.deps.clock.now()).toISOString();
    const project: Project = {
      id: data.id ?? newId('project'),
      name: data.name,
      repoPath: data.repoPath,
      status: data.status,
      priority: data.priority,
      createdAt: now,
      updatedAt: now,
    };
    await this.deps.store.transaction(async (tx) => {
      await tx.insertProject(project);
      await tx.appendEvents([{ type: 'project:created', data: project }], this.deps.clock.now());
    });
    this.deps.log.info({ projectId: project.id }, 'project created');
    return project;
  }

  /** @throws NotFoundError when no project has this id */
  async get(id: string): Promise<Project> {
    const project = await this.deps.store.getProject(id);
    if (!project) throw new NotFoundError('project', id);
    return project;
  }

  /** Every project, highest priority first. */
  list(): Promise<Project[]> {
    return this.deps.store.listProjects();
  }
}
