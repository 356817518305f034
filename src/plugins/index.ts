// The plugins folder's surface: the built-in plugin, and a registry holding it and the plugin modules a user names.
import { errorPluginsNotLoaded } from '../errors/index.js';
import type { SpecIssue } from '../errors/index.js';
import { loadPlugins, Registry } from '../registry/index.js';
import { builtinPlugin } from './builtin/index.js';

export { builtinPlugin };

export interface CreateRegistryOptions {
  /** Plugin modules to load besides the built-ins: paths (from `cwd`) or package names, as `--plugin` takes them. */
  readonly plugins?: readonly string[];
  /** @default process.cwd() */
  readonly cwd?: string;
}

/**
 * A registry of every built-in component and the plugins given. A spec's own `plugins:` are loaded into it
 * when the spec is resolved (loadExperiment), where their problems are located in the spec.
 * @throws DistilError PLUGIN_ERROR (exit 2) naming each plugin that cannot be loaded and why.
 */
export async function createRegistry(options: CreateRegistryOptions = {}): Promise<Registry> {
  const registry = new Registry().use(builtinPlugin);
  const issues: SpecIssue[] = [];
  await loadPlugins(registry, options.plugins ?? [], options.cwd ?? process.cwd(), undefined, issues);
  if (issues.length > 0) throw errorPluginsNotLoaded(issues);
  return registry;
}
