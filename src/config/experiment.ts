// Loads, validates and resolves an experiment spec into a frozen ResolvedExperiment: the whole spec checked
// against the base schema, its plugins loaded, then its grid's cells (cells.ts) and its search (search-stage.ts).
import path from 'node:path';
import { issueAt, seedWithSeeds } from '../errors/index.js';
import type { SpecIssue } from '../errors/index.js';
import { loadPlugins } from '../registry/index.js';
import type { Registry } from '../registry/index.js';
import { packageRoot } from '../shared/index.js';
import { issuesFromAjv } from './ajv-issues.js';
import type { Locator } from './ajv-issues.js';
import baseSchema from './base-schema.json' with { type: 'json' };
import { expandableAxes, resolveCells, sameCellIssues, validateBase } from './cells.js';
import { sweptPaths } from './grid.js';
import { applyGridFlags } from './grid-flags.js';
import { IssueCollector } from './issues.js';
import { applyOverrides, loadSpecSource, locate, specData } from './load.js';
import type { SpecSource } from './load.js';
import type { ResolvedExperiment } from './resolved-config.js';
import { resolveSearchStage } from './search-stage.js';

export interface LoadExperimentOptions {
  /** `path=value` overrides, as given to `--set`. */
  readonly set?: readonly string[];
  /** `path=[values]` grid axes, as given to `--grid` (applied after `set`). */
  readonly grid?: readonly string[];
  /** Extra plugin modules (`--plugin`), resolved from the working directory. */
  readonly plugins?: readonly string[];
  /**
   * The registry to resolve against (the built-ins and any plugins: see createRegistry). The spec's own
   * `plugins:` and `plugins` here are loaded into it.
   */
  readonly registry: Registry;
}

/**
 * The published JSON Schema file editors and generic validators read: generated from the base schema
 * and the registry (src/config/schema-gen.ts, `distil-run schema`).
 */
export const schemaPath = (): string => path.join(packageRoot(), 'schema', 'experiment.schema.json');

/** The keys a spec may have at its top (`name`, `dataset`, `seeds`...). */
export const SPEC_KEYS: readonly string[] = Object.keys(baseSchema.properties);

/**
 * Loads, validates and resolves an experiment spec file.
 * @throws DistilError INVALID_SPEC listing every problem with file:line:col, FILE_NOT_FOUND, PLUGIN_ERROR.
 */
export async function loadExperiment(
  file: string,
  options: LoadExperimentOptions,
): Promise<{ experiment: ResolvedExperiment; registry: Registry }> {
  const source = loadSpecSource(file);
  applyOverrides(source, options.set ?? []);
  applyGridFlags(source, options.grid ?? []);
  return resolveExperiment(source, options);
}

/** The spec's plugin references worth loading (the base schema reports the others), with their index in `plugins:`. */
function pluginEntries(spec: Record<string, unknown>): { references: string[]; entries: number[] } {
  const list = Array.isArray(spec.plugins) ? (spec.plugins as unknown[]) : [];
  const entries = list.flatMap((reference, index) =>
    typeof reference === 'string' && reference !== '' ? [index] : [],
  );
  return { references: entries.map((index) => list[index] as string), entries };
}

/**
 * `seeds:` replaces `seed:`, so a spec giving both would drop its seed without a word: refused at seed. A
 * `--set seeds=[...]` over the file's seed is the user choosing seeds on the command line: allowed.
 */
function seedWithSeedsIssue(spec: Record<string, unknown>, locator: Locator): SpecIssue[] {
  if (spec.seed == null || spec.seeds == null) return [];
  const location = locator(['seed'], true);
  if (location.origin === undefined && locator(['seeds'], true).origin !== undefined) return [];
  return [issueAt(location, 'seed', seedWithSeeds())];
}

/**
 * Validates and resolves an already-parsed spec source (see {@link loadExperiment}, which applies `options.set`
 * and `options.grid` to the source first; here they are only recorded, as the experiment's `specOverrides`).
 */
export async function resolveExperiment(
  source: SpecSource,
  options: LoadExperimentOptions,
): Promise<{ experiment: ResolvedExperiment; registry: Registry }> {
  const spec = specData(source);
  const locator: Locator = (segments, atKey) => locate(source, segments, atKey);
  const issues = new IssueCollector();
  issues.add(issuesFromAjv(validateBase(spec) ?? [], [], locator));
  issues.add(seedWithSeedsIssue(spec, locator));
  const { registry } = options;
  const { references: specPlugins, entries } = pluginEntries(spec);
  const pluginIssues: SpecIssue[] = [];
  await loadPlugins(
    registry,
    specPlugins,
    source.baseDir,
    (i) => locate(source, ['plugins', i]),
    pluginIssues,
    entries,
  );
  await loadPlugins(registry, options.plugins ?? [], process.cwd(), undefined, pluginIssues);
  issues.add(pluginIssues);
  const axes = expandableAxes(spec, locator, issues);
  const plain = resolveCells(source, spec, axes, registry, issues);
  const search =
    plain.length > 0 ? resolveSearchStage(source, spec, axes, plain[0].config, registry, issues, locator) : undefined;
  const cells = search ? search.finals[0] : plain;
  // Only when nothing else explains it (an unknown path makes every cell equal too, and says why better).
  if (issues.size === 0) issues.add(sameCellIssues(plain, ['grid'], locator));
  if (search && issues.size === 0) issues.add(sameCellIssues(search.cells, ['search', 'grid'], locator));
  issues.throwIfAny(source.file);
  const experiment: ResolvedExperiment = {
    name: spec.name as string,
    description: typeof spec.description === 'string' ? spec.description : '',
    file: source.file,
    baseDir: source.baseDir,
    spec,
    specOverrides: {
      set: [...(options.set ?? [])],
      grid: [...(options.grid ?? [])],
      plugins: [...(options.plugins ?? [])],
    },
    plugins: [...specPlugins, ...(options.plugins ?? [])],
    grid: sweptPaths(spec),
    axes: axes.map((axis) => ({ paths: axis.paths.map((path) => path.key), length: axis.length })),
    cells,
    search,
  };
  return { experiment: deepFreeze(experiment), registry };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
