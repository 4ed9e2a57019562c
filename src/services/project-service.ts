// Projects: named homes for prompts, workflows and orchestration sessions.
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConflictError, NotFoundError, ValidationError } from '../core/errors.js';
import { validateName } from '../core/names.js';
import { isUniqueViolation } from '../db/errors.js';
import type {
  ProjectData,
  ProjectRecord,
  ProjectRepository,
} from '../db/repositories/project-repository.js';

export interface ProjectInput {
  description?: string;
  rootPath?: string;
  model?: string;
}

export interface ProjectUpdate extends ProjectInput {
  newName?: string;
}

export interface ProjectServiceDeps {
  repository: ProjectRepository;
  cwd: string;
  /**
   * On a shared store: keeps a project's root on this machine (null removes it), instead of
   * in the shared row. The row keeps the root it was created with, as the team's default.
   */
  saveLocalRoot?: (project: string, root: string | null) => Promise<void>;
}

export class ProjectService {
  constructor(private readonly deps: ProjectServiceDeps) {}

  list(): Promise<ProjectRecord[]> {
    return this.deps.repository.list();
  }

  async get(name: string): Promise<ProjectRecord> {
    const project = await this.deps.repository.findByName(name);
    if (!project) {
      throw new NotFoundError(`Project "${name}" not found`, {
        hint: 'see `prompt-runner project list`',
      });
    }
    return project;
  }

  /**
   * The project a run or session belongs to, found from the record itself. A project the user
   * names must be that one: an id is never quietly taken from another project.
   */
  async owner(
    ref: { id: number } | { name: string },
    named: string | undefined,
    what: string,
  ): Promise<ProjectRecord> {
    const project =
      'id' in ref
        ? await this.deps.repository.findById(ref.id)
        : await this.deps.repository.findByName(ref.name);
    if (!project) throw new NotFoundError(`The project of ${what} no longer exists`);
    if (named !== undefined && named !== project.name) {
      await this.get(named);
      throw new ValidationError(`${what} belongs to project "${project.name}", not "${named}"`, {
        hint: `leave out -p, or pass -p ${project.name}`,
      });
    }
    return project;
  }

  async create(name: string, input: ProjectInput): Promise<ProjectRecord> {
    const data: ProjectData = { name: validateName('project', name), ...this.#fields(input) };
    if (await this.deps.repository.findByName(data.name)) throw duplicate(data.name);
    let created: ProjectRecord;
    try {
      created = await this.deps.repository.create(data);
    } catch (error) {
      if (isUniqueViolation(error)) throw duplicate(data.name);
      throw error;
    }
    if (data.rootPath && this.deps.saveLocalRoot) {
      await this.deps.saveLocalRoot(created.name, data.rootPath);
    }
    return created;
  }

  async update(name: string, changes: ProjectUpdate): Promise<ProjectRecord> {
    const project = await this.get(name);
    const data: Partial<ProjectData> = this.#fields(changes);
    if (changes.newName !== undefined && changes.newName !== project.name) {
      data.name = validateName('project', changes.newName);
      if (await this.deps.repository.findByName(data.name)) throw duplicate(data.name);
    }
    if (Object.keys(data).length === 0) {
      throw new ValidationError('Nothing to update', {
        hint: 'give --description, --root, --model or --rename',
      });
    }
    // A shared store: the root is this machine's, the row keeps the team's default.
    const { saveLocalRoot } = this.deps;
    const root = saveLocalRoot && 'rootPath' in data ? data.rootPath : undefined;
    if (saveLocalRoot && 'rootPath' in data) delete data.rootPath;
    let updated = project;
    try {
      if (Object.keys(data).length > 0)
        updated = await this.deps.repository.update(project.id, data);
    } catch (error) {
      if (isUniqueViolation(error)) throw duplicate(data.name ?? name);
      throw error;
    }
    if (saveLocalRoot && (root !== undefined || updated.name !== project.name)) {
      const kept = root !== undefined ? root : project.rootPath;
      if (updated.name !== project.name) await saveLocalRoot(project.name, null);
      await saveLocalRoot(updated.name, kept);
      return (await this.deps.repository.findById(project.id)) ?? updated;
    }
    return updated;
  }

  /** Deletes the project with its prompts, workflows and sessions; returns what it was. */
  async delete(name: string): Promise<ProjectRecord> {
    const project = await this.get(name);
    await this.deps.repository.delete(project.id);
    await this.deps.saveLocalRoot?.(project.name, null);
    return project;
  }

  // An empty string clears an optional field.
  #fields(input: ProjectInput): Partial<ProjectData> {
    const data: Partial<ProjectData> = {};
    if (input.description !== undefined) data.description = input.description.trim() || null;
    if (input.model !== undefined) data.defaultModel = input.model.trim() || null;
    if (input.rootPath !== undefined) {
      data.rootPath = input.rootPath.trim()
        ? checkRoot(resolve(this.deps.cwd, input.rootPath))
        : null;
    }
    return data;
  }
}

function checkRoot(path: string): string {
  if (!existsSync(path)) throw new ValidationError(`Root directory ${path} does not exist`);
  if (!statSync(path).isDirectory()) throw new ValidationError(`Root ${path} is not a directory`);
  return path;
}

function duplicate(name: string): ConflictError {
  return new ConflictError(`Project "${name}" already exists`, {
    hint: `choose another name, or see \`prompt-runner project show ${name}\``,
  });
}
