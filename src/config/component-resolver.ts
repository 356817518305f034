// Resolves a component reference of a spec (`name`, or `{ name, ...params }`) against the registry, its
// params validated by the component's own schema; every problem is collected as a located issue.
import { componentFailed, issueAt, unknownComponent, wrongTask } from '../errors/index.js';
import type { SpecIssue, SpecProblem } from '../errors/index.js';
import type { ComponentKind, Registry } from '../registry/index.js';
import type { Task } from '../shared/index.js';
import { issuesFromAjv } from './ajv-issues.js';
import type { Locator } from './ajv-issues.js';
import type { Json } from './defaults.js';
import type { PathSegment } from './load.js';
import { formatPath } from './locate.js';
import type { ComponentRef } from './resolved-config.js';

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The component part of resolving a spec: references, their params, and calls into a component's own code. */
export class ComponentResolver {
  readonly issues: SpecIssue[] = [];
  /** The components whose params the schema refused (their own code is not asked about them). */
  protected readonly refused = new WeakSet<ComponentRef>();

  constructor(
    protected readonly registry: Registry,
    protected readonly locateAt: Locator,
  ) {}

  /** Records a problem at a path (at its key with `atKey`). */
  protected report(at: PathSegment[], problem: SpecProblem, atKey?: boolean): void {
    this.issues.push(issueAt(this.locateAt(at, atKey), formatPath(at), problem));
  }

  /** Resolves a `name` or `{ name, ...params }` reference to a registered component. */
  component(
    kind: ComponentKind,
    value: unknown,
    at: PathSegment[],
    fallback?: string,
    task?: Task,
  ): ComponentRef | undefined {
    const raw = value === undefined ? fallback : value;
    let name: string;
    let params: Json;
    if (typeof raw === 'string') {
      name = raw;
      params = {};
    } else if (isObject(raw) && typeof raw.name === 'string') {
      ({ name, ...params } = raw);
    } else if (isObject(raw) && raw.name === undefined && fallback) {
      // `{ temperature: 4 }` keeps the default component and sets its params.
      name = fallback;
      params = raw;
    } else {
      return undefined; // the base schema has reported the shape
    }
    const lookup = this.registry.lookup(kind, name, task);
    if (!lookup.found) {
      this.report(
        isObject(raw) && typeof raw.name === 'string' ? [...at, 'name'] : at,
        unknownComponent(kind, name, lookup),
      );
      return undefined;
    }
    const tasks = lookup.found.definition.tasks;
    if (task && tasks && !tasks.includes(task)) this.report(at, wrongTask(kind, name, tasks, task));
    const filled = structuredClone(params);
    const errors = lookup.found.validate(filled);
    this.issues.push(...issuesFromAjv(errors, at, this.locateAt));
    const ref = { name, params: filled };
    if (errors.length > 0) this.refused.add(ref);
    return ref;
  }

  /**
   * Calls a component's own code (a plugin's may throw anything): a failure becomes an issue at `at`
   * and `fallback` is used instead.
   */
  protected guarded<T>(
    kind: ComponentKind,
    name: string,
    doing: string,
    at: PathSegment[],
    fallback: T,
    call: () => T,
  ): T {
    try {
      return call();
    } catch (error) {
      this.report(at, componentFailed(kind, name, doing, error));
      return fallback;
    }
  }

  /** Whether a loss reads the teacher's outputs: a distillation loss. */
  protected needsTeacher(loss: ComponentRef): boolean {
    const definition = this.registry.get('loss', loss.name).definition;
    return definition.kind === 'loss' && definition.needsTeacher === true;
  }
}
