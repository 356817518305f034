// The component registry: components by kind and name, each with a compiled params validator.
import type { ErrorObject, ValidateFunction } from 'ajv';
import { errorPluginInvalid } from '../errors/index.js';
import type { DistilError } from '../errors/index.js';
import { getAjv } from '../shared/index.js';
import { didYouMean } from '../shared/index.js';
import type { Task } from '../shared/index.js';
import type { ComponentDefinition, ComponentKind, JsonSchema, Plugin } from './types.js';
import { COMPONENT_KINDS, metricFacts } from './types.js';

/** A registered component together with the plugin that brought it. */
export interface RegisteredComponent {
  readonly definition: ComponentDefinition;
  readonly plugin: string;
  /** Validates (and fills defaults into) a params object. Compiled once, on first use. */
  validate(params: Record<string, unknown>): readonly ErrorObject[];
}

/** Outcome of looking a name up: the component, or a "did you mean" suggestion. */
export type Lookup =
  | { readonly found: RegisteredComponent }
  | { readonly found?: undefined; readonly suggestion?: string; readonly known: readonly string[] };

/** Makes a component's params schema strict: unknown keys are errors unless it says otherwise. */
function strictSchema(schema: JsonSchema): JsonSchema {
  return { type: 'object', additionalProperties: false, ...schema };
}

/** What a results column may be called (after `test_` / `val_`). */
export const COLUMN = /^[a-z0-9_]+$/;

const SHAPE_HINT = 'each component needs kind, name, description, params (a JSON Schema) and create()';

/** Params validators by definition: a built-in's schema is compiled once per process, however many registries use it. */
const validators = new WeakMap<object, ValidateFunction>();

/**
 * Compiles a component's params schema, so a broken one is refused when its plugin loads rather than
 * failing (with a stack trace) when a spec first uses it.
 * @throws DistilError PLUGIN_INVALID when ajv cannot compile it.
 */
function compileParams(definition: ComponentDefinition, plugin: string): ValidateFunction {
  const cached = validators.get(definition);
  if (cached) return cached;
  const ajv = getAjv();
  const schema = strictSchema(definition.params);
  const fail = (problem: string): DistilError =>
    errorPluginInvalid(
      `plugin ${plugin}: ${definition.kind} "${definition.name}" has an invalid params schema: ${problem}`,
      "fix the component's params JSON Schema",
    );
  if (!ajv.validateSchema(schema)) {
    const first = ajv.errors?.[0];
    throw fail(first ? `${first.instancePath || '/'} ${first.message ?? 'is invalid'}` : 'is invalid');
  }
  try {
    const compiled = ajv.compile(schema);
    validators.set(definition, compiled);
    return compiled;
  } catch (error) {
    throw fail(String((error as Error)?.message ?? error).split('\n')[0]);
  }
}

/** What is wrong with the shape of a component a plugin declares (plugins are plain JavaScript). */
function shapeProblem(component: unknown, index: number): string | undefined {
  if (typeof component !== 'object' || component === null) return `component ${index} is not an object`;
  const { kind, name, params, create, tasks, task } = component as Record<string, unknown>;
  const label = typeof name === 'string' && name !== '' ? `component "${name}"` : `component ${index}`;
  if (typeof name !== 'string' || name === '') return `${label} has no name`;
  if (!(COMPONENT_KINDS as readonly unknown[]).includes(kind)) {
    return `${label} has unknown kind "${String(kind)}" (expected ${COMPONENT_KINDS.join(', ')})`;
  }
  if (typeof params !== 'object' || params === null || Array.isArray(params)) {
    return `${label} has no params schema (an object; { properties: {} } for none)`;
  }
  if (typeof create !== 'function') return `${label} has no create() function`;
  const isTask = (value: unknown): boolean => value === 'classification' || value === 'regression';
  if (tasks !== undefined && !(Array.isArray(tasks) && tasks.every(isTask))) {
    return `${label} has tasks that are not a list of "classification" and "regression"`;
  }
  if (kind === 'dataset' && !isTask(task) && typeof task !== 'function') {
    return `${label} declares no task ("classification", "regression" or a function of its params)`;
  }
  const facts = component as Record<string, unknown>;
  // A name the params schema does not declare could never be set: the resolver would never see it.
  const declared = Object.keys((params as { properties?: object }).properties ?? {});
  const { validationParams } = facts;
  if (
    kind === 'dataset' &&
    validationParams !== undefined &&
    !(
      Array.isArray(validationParams) &&
      validationParams.every((key) => typeof key === 'string' && declared.includes(key))
    )
  ) {
    return `${label} has validationParams that are not a list of its params' names`;
  }
  if (kind === 'metric' && typeof facts.higherIsBetter !== 'boolean') {
    return `${label} declares no higherIsBetter (true or false, next to its name; column, optional, names its results column)`;
  }
  if (
    kind === 'metric' &&
    facts.column !== undefined &&
    typeof facts.column !== 'function' &&
    !(typeof facts.column === 'string' && COLUMN.test(facts.column))
  ) {
    return `${label} has a column that is not lower-case letters, digits and "_" (or a function of its params giving one)`;
  }
  if (kind === 'metric' && facts.columnPattern !== undefined && !(facts.columnPattern instanceof RegExp)) {
    return `${label} has a columnPattern that is not a regular expression`;
  }
  if (kind === 'metric' && facts.checkDataset !== undefined && typeof facts.checkDataset !== 'function') {
    return `${label} has a checkDataset that is not a function`;
  }
  if (
    kind === 'dataset' &&
    facts.classes !== undefined &&
    typeof facts.classes !== 'function' &&
    !(Number.isInteger(facts.classes) && (facts.classes as number) >= 2)
  ) {
    return `${label} has classes that is not a whole number of at least 2 (or a function of its params)`;
  }
  if (kind === 'dataset' && facts.checkData !== undefined && typeof facts.checkData !== 'function') {
    return `${label} has a checkData that is not a function`;
  }
  if (kind === 'loss' && facts.needsTeacher !== undefined && typeof facts.needsTeacher !== 'boolean') {
    return `${label} has a needsTeacher that is not true or false`;
  }
  if (kind === 'loss' && facts.representations !== undefined && typeof facts.representations !== 'boolean') {
    return `${label} has a representations that is not true or false`;
  }
  if (kind === 'loss' && facts.representations === true && facts.needsTeacher !== true) {
    return `${label} reads representations and does not set needsTeacher: true (a representation method learns from a teacher)`;
  }
  if (kind === 'loss' && facts.checkFeatures !== undefined && typeof facts.checkFeatures !== 'function') {
    return `${label} has a checkFeatures that is not a function`;
  }
  return undefined;
}

/** Components by kind and name. Plugins register into it; the spec resolver reads from it. */
export class Registry {
  private readonly byKind = new Map<ComponentKind, Map<string, RegisteredComponent>>(
    COMPONENT_KINDS.map((kind) => [kind, new Map()]),
  );
  private readonly plugins = new Map<string, Plugin>();

  /**
   * Registers every component of a plugin, or none of them.
   * @throws DistilError PLUGIN_INVALID when a component is malformed, its params schema does not compile, its
   *   name is already taken, or another plugin of the same name is registered.
   */
  use(plugin: Plugin): this {
    const known = this.plugins.get(plugin.name);
    if (known === plugin) return this;
    if (known) {
      throw errorPluginInvalid(
        `plugin ${plugin.name}: another plugin named "${plugin.name}" is already loaded`,
        'give each plugin its own name',
      );
    }
    const components = plugin.components.map((component, i) => this.checked(component as unknown, i, plugin.name));
    const names = new Set<string>();
    for (const { definition } of components) {
      const id = `${definition.kind}:${definition.name}`;
      if (names.has(id)) {
        throw errorPluginInvalid(
          `plugin ${plugin.name}: declares ${definition.kind} "${definition.name}" twice`,
          'rename one of them',
        );
      }
      names.add(id);
    }
    for (const component of components) {
      this.byKind.get(component.definition.kind)?.set(component.definition.name, component);
    }
    this.plugins.set(plugin.name, plugin);
    return this;
  }

  /** A component ready to register: well formed, its name free, its params schema compiled. */
  private checked(component: unknown, index: number, plugin: string): RegisteredComponent {
    const problem = shapeProblem(component, index);
    if (problem) throw errorPluginInvalid(`plugin ${plugin}: ${problem}`, SHAPE_HINT);
    const definition = component as ComponentDefinition;
    const existing = this.byKind.get(definition.kind)?.get(definition.name);
    if (existing) {
      throw errorPluginInvalid(
        `plugin ${plugin}: ${definition.kind} "${definition.name}" is already registered by plugin ${existing.plugin}`,
        'rename the component or drop the duplicate plugin',
      );
    }
    const compiled = compileParams(definition, plugin);
    return {
      definition,
      plugin,
      validate(params) {
        return compiled(params) ? [] : [...(compiled.errors ?? [])];
      },
    };
  }

  /**
   * Looks a component up by kind and name. An unknown name gets a suggestion and the known names; with the
   * dataset's `task`, only among the components for that task (`f2` on a regression dataset is `r2`, not `f1`).
   */
  lookup(kind: ComponentKind, name: string, task?: Task): Lookup {
    const kindMap = this.byKind.get(kind) ?? new Map<string, RegisteredComponent>();
    const found = kindMap.get(name);
    if (found) return { found };
    const fits = ({ definition }: RegisteredComponent) =>
      task === undefined || definition.tasks === undefined || definition.tasks.includes(task);
    const known = [...kindMap.values()]
      .filter(fits)
      .map(({ definition }) => definition.name)
      .sort();
    return { suggestion: didYouMean(name, known), known };
  }

  /**
   * The component of that kind and name.
   * @throws Error when it is not registered.
   */
  get(kind: ComponentKind, name: string): RegisteredComponent {
    const result = this.lookup(kind, name);
    if (!result.found) throw new Error(`unknown ${kind} "${name}"`);
    return result.found;
  }

  /** All components of a kind, sorted by name. */
  list(kind: ComponentKind): readonly RegisteredComponent[] {
    return [...(this.byKind.get(kind)?.values() ?? [])].sort((a, b) =>
      a.definition.name.localeCompare(b.definition.name),
    );
  }

  /**
   * Which direction is better for a results metric column (`accuracy` for test_accuracy): that of the
   * registered metric writing it (`accuracy_class_3`: the metric whose `columnPattern` it matches); undefined
   * when none does (a plugin's metric, its plugin not loaded).
   */
  higherIsBetter(column: string): boolean | undefined {
    for (const { definition } of this.list('metric')) {
      if (definition.kind !== 'metric') continue;
      // A column that depends on the params is known by the pattern its definition declares.
      const owns =
        typeof definition.column === 'function'
          ? definition.columnPattern?.test(column) === true
          : metricFacts(definition).column === column;
      if (owns) return definition.higherIsBetter;
    }
    return undefined;
  }

  /** Names of the plugins registered so far, in order. */
  pluginNames(): readonly string[] {
    return [...this.plugins.keys()];
  }
}
