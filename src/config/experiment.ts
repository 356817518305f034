// Loads, validates and resolves an experiment spec into a frozen ResolvedExperiment with its grid cells.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ValidateFunction } from 'ajv';
import type { SpecIssue } from '../errors.js';
import { loadPlugins } from '../plugins/load.js';
import { Registry } from '../registry/registry.js';
import { builtinPlugin } from '../plugins/builtin/index.js';
import { getAjv } from './ajv.js';
import { checkedAxes, cellLocator, expandGrid, gridAxes, gridSizeIssue, setPath } from './grid.js';
import type { GridAxis, GridCombo } from './grid.js';
import { IssueCollector } from './issues.js';
import { applyOverrides, loadSpecSource, locate, specData } from './load.js';
import type { SpecSource } from './load.js';
import { issuesFromAjv } from './messages.js';
import type { Locator } from './messages.js';
import { ConfigResolver } from './resolve.js';
import type { ResolvedConfig } from './resolve.js';

/** One point of the grid: its overrides and the config they give. */
export interface ResolvedCell {
  /**
   * Stable content hash of the cell's config without its seed: the same grid point has the same id
   * for every seed, across runs and machines (rows are keyed by id, seed and role).
   */
  readonly id: string;
  /** The seed of this run of the cell (`config.seed`): one of `seeds:`, or `seed:`. */
  readonly seed: number;
  /** Position in the order cells run: grid points in order, each once per seed. */
  readonly index: number;
  /** Grid path → value for this cell (empty without a grid). */
  readonly overrides: Readonly<Record<string, unknown>>;
  readonly config: ResolvedConfig;
}

/** The experiment as the runner reads it. */
export interface ResolvedExperiment {
  readonly name: string;
  readonly description: string;
  readonly file: string;
  readonly baseDir: string;
  /** The spec after --set overrides, as plain data (recorded in the manifest). */
  readonly spec: Readonly<Record<string, unknown>>;
  readonly plugins: readonly string[];
  readonly grid: Readonly<Record<string, readonly unknown[]>>;
  readonly cells: readonly ResolvedCell[];
}

export interface LoadExperimentOptions {
  /** `path=value` overrides, as given to `--set`. */
  readonly set?: readonly string[];
  /** Extra plugin modules (`--plugin`), resolved from the working directory. */
  readonly plugins?: readonly string[];
  /** Registry to resolve against; a new one with the built-ins by default. */
  readonly registry?: Registry;
}

import { packageRoot } from '../shared/package-root.js';

/** The JSON Schema file editors and ajv both read. */
export const schemaPath = (): string => path.join(packageRoot(), 'schema', 'experiment.schema.json');

let baseSchema: { properties: Record<string, unknown> } | undefined;
let baseValidator: ValidateFunction | undefined;

/** The base schema (schema/experiment.schema.json), read once. */
function loadBaseSchema(): { properties: Record<string, unknown> } {
  baseSchema ??= JSON.parse(readFileSync(schemaPath(), 'utf8')) as { properties: Record<string, unknown> };
  return baseSchema;
}

/** Validates against the compiled base schema. */
function validateBase(data: unknown): ValidateFunction['errors'] {
  baseValidator ??= getAjv().compile(loadBaseSchema());
  return baseValidator(structuredClone(data)) ? [] : baseValidator.errors;
}

/** Hash of a value's canonical JSON (keys sorted), shortened. */
export function contentHash(value: unknown, length = 12): string {
  const canonical = JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v,
  );
  return createHash('sha256').update(canonical).digest('hex').slice(0, length);
}

/**
 * What every cell starts from: the spec's known keys but its grid. Unknown keys were reported once by
 * the validation of the whole spec; copying them into every cell would only repeat that work.
 */
function cellBase(spec: Record<string, unknown>): Record<string, unknown> {
  const known = Object.keys(loadBaseSchema().properties).filter((key) => key !== 'grid' && Object.hasOwn(spec, key));
  return Object.fromEntries(known.map((key) => [key, spec[key]]));
}

/** The axes to expand, or none when the grid is too large (then only the spec itself is checked). */
function expandableAxes(spec: Record<string, unknown>, locator: Locator, issues: IssueCollector): GridAxis[] {
  const problems: SpecIssue[] = [];
  const axes = checkedAxes(spec, locator, problems);
  const tooLarge = gridSizeIssue(axes, locator);
  if (tooLarge) problems.push(tooLarge);
  issues.add(problems);
  return tooLarge ? [] : axes;
}

/** One grid cell: the base with the cell's grid values set, validated where the grid changed it, then resolved. */
function resolveCell(source: SpecSource, base: Record<string, unknown>, combo: GridCombo, seed: number | undefined, index: number, registry: Registry, issues: IssueCollector): ResolvedCell {
  const data = structuredClone(base);
  for (const [axis, i] of combo) setPath(data, axis.segments, axis.values[i]);
  if (seed !== undefined) data.seed = seed;
  const locator = cellLocator(source, combo);
  if (combo.length > 0) issues.add(issuesFromAjv(validateBase(data) ?? [], [], locator));
  const resolver = new ConfigResolver(registry, locator);
  const config = resolver.config(data);
  issues.add(resolver.issues);
  const overrides = Object.fromEntries(combo.map(([axis, i]) => [axis.key, axis.values[i]]));
  const { seed: ownSeed, ...withoutSeed } = config;
  return { id: contentHash(withoutSeed), seed: ownSeed, index, overrides, config };
}

/** Every cell of the grid (one without a grid), or as many as it takes to fill the report with problems. */
function resolveCells(source: SpecSource, spec: Record<string, unknown>, registry: Registry, issues: IssueCollector, locator: Locator): ResolvedCell[] {
  const axes = expandableAxes(spec, locator, issues);
  const base = cellBase(spec);
  const cells: ResolvedCell[] = [];
  // `seeds:` repeats every grid point once per seed (it replaces `seed:`).
  const seeds = Array.isArray(spec.seeds) && spec.seeds.every((s) => typeof s === 'number') ? (spec.seeds as number[]) : [undefined];
  for (const combo of expandGrid(axes)) {
    for (const seed of seeds) {
      // Past the report's length, more cells would only cost time: stop, and say the count is a floor.
      if (cells.length > 0 && issues.full) {
        issues.complete = false;
        return cells;
      }
      cells.push(resolveCell(source, base, combo, seed, cells.length, registry, issues));
    }
  }
  return cells;
}

/**
 * Loads, validates and resolves an experiment spec file.
 * @throws DistilError INVALID_SPEC listing every problem with file:line:col, FILE_NOT_FOUND, PLUGIN_ERROR.
 */
export async function loadExperiment(file: string, options: LoadExperimentOptions = {}): Promise<{ experiment: ResolvedExperiment; registry: Registry }> {
  const source = loadSpecSource(file);
  applyOverrides(source, options.set ?? []);
  return resolveExperiment(source, options);
}

/** The spec's plugin references worth loading (the base schema reports the others), with their index in `plugins:`. */
function pluginEntries(spec: Record<string, unknown>): { references: string[]; entries: number[] } {
  const list = Array.isArray(spec.plugins) ? (spec.plugins as unknown[]) : [];
  const entries = list.flatMap((reference, index) => (typeof reference === 'string' && reference !== '' ? [index] : []));
  return { references: entries.map((index) => list[index] as string), entries };
}

/** Validates and resolves an already-parsed spec source (see {@link loadExperiment}). */
export async function resolveExperiment(source: SpecSource, options: LoadExperimentOptions = {}): Promise<{ experiment: ResolvedExperiment; registry: Registry }> {
  const spec = specData(source);
  const locator: Locator = (segments, atKey) => locate(source, segments, atKey);
  const issues = new IssueCollector();
  issues.add(issuesFromAjv(validateBase(spec) ?? [], [], locator));
  const registry = options.registry ?? new Registry().use(builtinPlugin);
  const { references: specPlugins, entries } = pluginEntries(spec);
  const pluginIssues: SpecIssue[] = [];
  await loadPlugins(registry, specPlugins, source.baseDir, locator, pluginIssues, entries);
  await loadPlugins(registry, options.plugins ?? [], process.cwd(), undefined, pluginIssues);
  issues.add(pluginIssues);
  const cells = resolveCells(source, spec, registry, issues, locator);
  issues.throwIfAny(source.file);
  const experiment: ResolvedExperiment = {
    name: spec.name as string,
    description: typeof spec.description === 'string' ? spec.description : '',
    file: source.file,
    baseDir: source.baseDir,
    spec,
    plugins: [...specPlugins, ...(options.plugins ?? [])],
    grid: gridAxes(spec),
    cells,
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
