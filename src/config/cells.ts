// The cells of a spec's grid: each point of the grid (once per seed) resolved from the spec with its grid
// values set, validated where the grid changed it, and refused when two cells are one experiment.
import type { ValidateFunction } from 'ajv';
import { issueAt, sameCell } from '../errors/index.js';
import type { SpecIssue } from '../errors/index.js';
import type { Registry } from '../registry/index.js';
import { contentHash, getAjv } from '../shared/index.js';
import { issuesFromAjv } from './ajv-issues.js';
import type { Locator } from './ajv-issues.js';
import baseSchema from './base-schema.json' with { type: 'json' };
import { cellLocator, checkedAxes, comboLabel, comboValues, expandGrid, gridSizeIssue, setPath } from './grid.js';
import type { GridAxis, GridCombo } from './grid.js';
import type { IssueCollector } from './issues.js';
import type { SpecSource } from './load.js';
import { formatPath } from './locate.js';
import type { PathSegment } from './locate.js';
import { ConfigResolver } from './resolve.js';
import type { ResolvedCell } from './resolved-config.js';

let baseValidator: ValidateFunction | undefined;

/**
 * Validates against the compiled base schema (src/config/base-schema.json): its x- annotations word
 * the messages, and each component's params are the registry's to check, with their own messages.
 */
export function validateBase(data: unknown): ValidateFunction['errors'] {
  baseValidator ??= getAjv().compile(baseSchema);
  return baseValidator(structuredClone(data)) ? [] : baseValidator.errors;
}

/**
 * What every cell starts from: the spec's known keys but its grid. Unknown keys were reported once by
 * the validation of the whole spec; copying them into every cell would only repeat that work.
 */
function cellBase(spec: Record<string, unknown>): Record<string, unknown> {
  const known = Object.keys(baseSchema.properties).filter((key) => key !== 'grid' && Object.hasOwn(spec, key));
  return Object.fromEntries(known.map((key) => [key, spec[key]]));
}

/** The axes to expand, or none when the grid is too large (then only the spec itself is checked). */
export function expandableAxes(spec: Record<string, unknown>, locator: Locator, issues: IssueCollector): GridAxis[] {
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
  return { id: contentHash(withoutSeed), seed: ownSeed, index, overrides, label: comboLabel(combo), config };
}

/** Every cell of the grid (one without a grid), or as many as it takes to fill the report with problems. */
export function resolveCells(
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
  return withSplitSeeds(cells, spec.splits === 'per-seed');
}

/**
 * The seed of every cell's data splits: the first cell's seed (the first of `seeds:`, else `seed:`), so that
 * the seeds vary the training alone; with `splits: per-seed`, each cell's own. The cell ids stay: a split
 * seed is no part of them (a run's identity and the models' keys say it).
 */
function withSplitSeeds(cells: ResolvedCell[], perSeed: boolean): ResolvedCell[] {
  if (perSeed || cells.length === 0) return cells;
  const first = cells[0].seed;
  return cells.map((cell) => (cell.seed === first ? cell : { ...cell, config: { ...cell.config, splitSeed: first } }));
}

/**
 * Two cells that resolve to one experiment (the same config and seed) would write two rows for one key:
 * whatever made them equal (paths that overlap, a value that changes nothing), refuse it.
 */
export function sameCellIssues(cells: readonly ResolvedCell[], at: PathSegment[], locator: Locator): SpecIssue[] {
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
