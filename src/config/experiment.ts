// Loads, validates and resolves an experiment spec into a frozen ResolvedExperiment with its grid cells.
import { SPEC_LIMITS } from '../shared/index.js';
import path from 'node:path';
import type { ValidateFunction } from 'ajv';
import { issueAt, noValidationSplit, sameCell, searchTooLarge, seedWithSeeds } from '../errors/index.js';
import type { SpecIssue } from '../errors/index.js';
import { loadPlugins } from '../registry/index.js';
import type { Registry } from '../registry/index.js';
import { getAjv } from '../shared/index.js';
import baseSchema from './base-schema.json' with { type: 'json' };
import {
  checkedAxes,
  cellLocator,
  gridPoints,
  comboValues,
  expandGrid,
  gridSizeIssue,
  setPath,
  sweptPaths,
} from './grid.js';
import type { GridAxis, GridCombo } from './grid.js';
import { IssueCollector } from './issues.js';
import { applyGridFlags } from './grid-flags.js';
import { applyOverrides, loadSpecSource, locate, specData } from './load.js';
import { formatPath } from './locate.js';
import type { PathSegment } from './locate.js';
import type { SpecSource } from './load.js';
import { issuesFromAjv } from './ajv-issues.js';
import type { Locator } from './ajv-issues.js';
import { ConfigResolver, validationParamsOf } from './resolve.js';
import { hasValidation } from './resolved-config.js';
import { carriedSpec, resolveSearch, searchPointSpec } from './search.js';
import type { ResolvedSearch } from './search.js';
import type { ResolvedConfig } from './resolved-config.js';

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
  /** Every swept path and its values (a zip group's paths included). */
  readonly grid: Readonly<Record<string, readonly unknown[]>>;
  /** The axes of the cartesian product, in order: one path each, or the paths of a zip group. */
  readonly axes: readonly GridAxisSummary[];
  readonly cells: readonly ResolvedCell[];
  /** The selection stage, when the spec has `search:`; `cells` are then those of its first point until it has run. */
  readonly search?: SearchStage;
}

/** A resolved `search:` with the cells it trains and, for each possible winner, the cells after it. */
export interface SearchStage extends ResolvedSearch {
  /** The teacher of every search point, once per seed (point by point). */
  readonly cells: readonly ResolvedCell[];
  /** The cell id of each point's teacher (the same for all its seeds). */
  readonly pointIds: readonly string[];
  /** For each point, the experiment's cells when that point wins (teacher and carried values set). */
  readonly finals: ReadonlyArray<readonly ResolvedCell[]>;
}

/** One axis of the grid as `--dry-run` shows it. */
export interface GridAxisSummary {
  /** The swept paths: one, or a zip group's. */
  readonly paths: readonly string[];
  /** How many values each path takes. */
  readonly length: number;
}

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

import { packageRoot } from '../shared/index.js';
import { contentHash } from '../shared/index.js';

/**
 * The published JSON Schema file editors and generic validators read: generated from the base schema
 * and the registry (src/config/schema-gen.ts, `distil-run schema`).
 */
export const schemaPath = (): string => path.join(packageRoot(), 'schema', 'experiment.schema.json');

let baseValidator: ValidateFunction | undefined;

/**
 * Validates against the compiled base schema (src/config/base-schema.json): its x- annotations word
 * the messages, and each component's params are the registry's to check, with their own messages.
 */
function validateBase(data: unknown): ValidateFunction['errors'] {
  baseValidator ??= getAjv().compile(baseSchema);
  return baseValidator(structuredClone(data)) ? [] : baseValidator.errors;
}

/** The keys a spec may have at its top (`name`, `dataset`, `seeds`...). */
export const SPEC_KEYS: readonly string[] = Object.keys(baseSchema.properties);

/**
 * What every cell starts from: the spec's known keys but its grid. Unknown keys were reported once by
 * the validation of the whole spec; copying them into every cell would only repeat that work.
 */
function cellBase(spec: Record<string, unknown>): Record<string, unknown> {
  const known = Object.keys(baseSchema.properties).filter((key) => key !== 'grid' && Object.hasOwn(spec, key));
  return Object.fromEntries(known.map((key) => [key, spec[key]]));
}

/** The axes to expand, or none when the grid is too large (then only the spec itself is checked). */
function expandableAxes(spec: Record<string, unknown>, locator: Locator, issues: IssueCollector): GridAxis[] {
  const problems: SpecIssue[] = [];
  const axes = checkedAxes(spec, locator, problems);
  const tooLarge = gridSizeIssue(axes, locator, Array.isArray(spec.seeds) ? spec.seeds.length : 1);
  if (tooLarge) problems.push(tooLarge);
  issues.add(problems);
  return tooLarge ? [] : axes;
}

/** One grid cell: the base with the cell's grid values set, validated where the grid changed it, then resolved. */
function resolveCell(
  source: SpecSource,
  base: Record<string, unknown>,
  combo: GridCombo,
  seed: number | undefined,
  index: number,
  registry: Registry,
  issues: IssueCollector,
): ResolvedCell {
  const data = structuredClone(base);
  const values = comboValues(combo);
  for (const [path, value] of values) setPath(data, path.segments, value);
  if (seed !== undefined) data.seed = seed;
  const locator = cellLocator(source, combo);
  if (combo.length > 0) issues.add(issuesFromAjv(validateBase(data) ?? [], [], locator));
  const resolver = new ConfigResolver(registry, locator, source.baseDir);
  const config = resolver.config(data);
  issues.add(resolver.issues);
  const overrides = Object.fromEntries(values.map(([path, value]) => [path.key, value]));
  const { seed: ownSeed, ...withoutSeed } = config;
  return { id: contentHash(withoutSeed), seed: ownSeed, index, overrides, config };
}

/** Every cell of the grid (one without a grid), or as many as it takes to fill the report with problems. */
function resolveCells(
  source: SpecSource,
  spec: Record<string, unknown>,
  axes: readonly GridAxis[],
  registry: Registry,
  issues: IssueCollector,
): ResolvedCell[] {
  const base = cellBase(spec);
  const cells: ResolvedCell[] = [];
  // `seeds:` repeats every grid point once per seed (it replaces `seed:`). More seeds than the schema allows are
  // refused by it: a cell for each would only cost time (minutes for tens of thousands).
  const usable = Array.isArray(spec.seeds) && spec.seeds.length <= baseSchema.properties.seeds.maxItems;
  const seeds =
    usable && (spec.seeds as unknown[]).every((s) => typeof s === 'number') ? (spec.seeds as number[]) : [undefined];
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

/** Validates and resolves an already-parsed spec source (see {@link loadExperiment}). */
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
    plugins: [...specPlugins, ...(options.plugins ?? [])],
    grid: sweptPaths(spec),
    axes: axes.map((axis) => ({ paths: axis.paths.map((path) => path.key), length: axis.length })),
    cells,
    search,
  };
  return { experiment: deepFreeze(experiment), registry };
}

/** Locates a problem of a search point's teacher at the search entry whose value caused it. */
function searchLocator(search: ResolvedSearch, point: Readonly<Record<string, unknown>>, locator: Locator): Locator {
  return (segments, atKey) => {
    const dotted = formatPath(segments);
    for (const axis of search.axes) {
      const target = `models.teacher.${axis.path}`;
      if (dotted === target || dotted.startsWith(`${target}.`) || dotted.startsWith(`${target}[`)) {
        return locator(['search', 'grid', axis.path, axis.values.indexOf(point[axis.path])], false);
      }
      // A misspelt path: the key it added is unknown where it landed.
      if (target.startsWith(`${dotted}.`) || dotted.startsWith('models.teacher')) {
        return locator(['search', 'grid', axis.path], true);
      }
    }
    return locator(segments, atKey);
  };
}

/**
 * Two cells that resolve to one experiment (the same config and seed) would write two rows for one key:
 * whatever made them equal (paths that overlap, a value that changes nothing), refuse it.
 */
function sameCellIssues(cells: readonly ResolvedCell[], at: PathSegment[], locator: Locator): SpecIssue[] {
  const seen = new Map<string, ResolvedCell>();
  for (const cell of cells) {
    const key = `${cell.id}/${cell.seed}`;
    const first = seen.get(key);
    if (first) {
      return [issueAt(locator(at, true), formatPath(at), sameCell(first.overrides, cell.overrides, cell.seed))];
    }
    seen.set(key, cell);
  }
  return [];
}

/**
 * The selection stage of a spec with `search:`: its teacher cells (one per point and seed) and the
 * experiment's cells for each possible winner, all resolved now so every problem is reported before a run.
 */
function resolveSearchStage(
  source: SpecSource,
  spec: Record<string, unknown>,
  axes: readonly GridAxis[],
  first: ResolvedConfig,
  registry: Registry,
  issues: IssueCollector,
  locator: Locator,
): SearchStage | undefined {
  if (spec.search === undefined) return undefined;
  const problems: SpecIssue[] = [];
  const resolved = resolveSearch(
    spec,
    first.models.teacher.training.metrics.map((m) => m.name),
    registry,
    locator,
    problems,
  );
  if (resolved && !hasValidation(first)) {
    problems.push(
      issueAt(
        locator(['search', 'select'], false),
        'search.select',
        noValidationSplit('search', validationParamsOf(registry, first.dataset.name)),
      ),
    );
  }
  // Every point is resolved with every cell of the grid (its possible finals): bound the product.
  const size = resolved ? resolved.points.length * gridPoints(axes) : 0;
  if (size > SPEC_LIMITS.gridCells) {
    problems.push(
      issueAt(locator(['search', 'grid'], true), 'search.grid', searchTooLarge(resolved!.points.length, size)),
    );
  }
  issues.add(problems);
  if (!resolved || problems.length > 0) return undefined;
  // Each point is checked against the schema like a grid cell, its problems located at its search entry.
  for (const point of resolved.points) {
    issues.add(
      issuesFromAjv(validateBase(searchPointSpec(spec, point)) ?? [], [], searchLocator(resolved, point, locator)),
    );
  }
  const pointIds: string[] = [];
  const cells = resolved.points
    .flatMap((point) => {
      // A search cell trains only the teacher: its id is its own, never a final cell's (their rows must not share a key).
      const teachers = resolveCells(source, searchPointSpec(spec, point), [], registry, issues).map((cell) => ({
        ...cell,
        id: contentHash({ search: cell.id }),
      }));
      pointIds.push(teachers[0]?.id ?? '');
      const overrides = Object.fromEntries(Object.entries(point).map(([p, v]) => [`models.teacher.${p}`, v]));
      return teachers.map((cell) => ({ ...cell, overrides }));
    })
    .map((cell, index) => ({ ...cell, index }));
  const finals = resolved.points.map((point) =>
    resolveCells(source, carriedSpec(spec, resolved, point), axes, registry, issues),
  );
  return { ...resolved, cells, pointIds, finals };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
