// The component registry: components by kind and name, each with a compiled params validator.
import type { ErrorObject, ValidateFunction } from 'ajv';
import { getAjv } from '../config/ajv.js';
import { didYouMean } from './did-you-mean.js';
import type { ComponentDefinition, ComponentKind, JsonSchema, Plugin } from './types.js';
import { COMPONENT_KINDS } from './types.js';

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

/** Components by kind and name. Plugins register into it; the spec resolver reads from it. */
export class Registry {
  private readonly byKind = new Map<ComponentKind, Map<string, RegisteredComponent>>(
    COMPONENT_KINDS.map((kind) => [kind, new Map()]),
  );
  private readonly plugins: string[] = [];

  /**
   * Registers every component of a plugin.
   * @throws Error when a component's kind is unknown or its name is already taken.
   */
  use(plugin: Plugin): this {
    if (this.plugins.includes(plugin.name)) return this;
    for (const component of plugin.components) this.register(component as ComponentDefinition, plugin.name);
    this.plugins.push(plugin.name);
    return this;
  }

  private register(definition: ComponentDefinition, plugin: string): void {
    const kindMap = this.byKind.get(definition.kind);
    if (!kindMap) throw new Error(`plugin ${plugin}: component "${definition.name}" has unknown kind "${definition.kind}"`);
    const existing = kindMap.get(definition.name);
    if (existing) {
      throw new Error(
        `plugin ${plugin}: ${definition.kind} "${definition.name}" is already registered by plugin ${existing.plugin}`,
      );
    }
    let compiled: ValidateFunction | undefined;
    kindMap.set(definition.name, {
      definition,
      plugin,
      validate(params) {
        compiled ??= getAjv().compile(strictSchema(definition.params));
        return compiled(params) ? [] : [...(compiled.errors ?? [])];
      },
    });
  }

  /** Looks a component up by kind and name. */
  lookup(kind: ComponentKind, name: string): Lookup {
    const kindMap = this.byKind.get(kind) ?? new Map<string, RegisteredComponent>();
    const found = kindMap.get(name);
    if (found) return { found };
    const known = [...kindMap.keys()].sort();
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
    return [...(this.byKind.get(kind)?.values() ?? [])].sort((a, b) => a.definition.name.localeCompare(b.definition.name));
  }

  /** Names of the plugins registered so far, in order. */
  pluginNames(): readonly string[] {
    return [...this.plugins];
  }
}
