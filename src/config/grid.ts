// Grid axes: checked (paths, size) before any cell is built, expanded lazily, and problems located at the grid.
import {
  gridTooLarge,
  issueAt,
  notSweepable,
  pathNotSettable,
  repeatedValue,
  seedSweptWithSeeds,
  sweepsOverlap,
  sweptTwice,
  zipUneven,
} from '../errors/index.js';
import type { SpecIssue, SpecProblem } from '../errors/index.js';
import { axisLabels, SPEC_LIMITS } from '../shared/index.js';
import baseSchema from './base-schema.json' with { type: 'json' };
import { findNode, formatPath, locate, parsePath } from './locate.js';
import type { PathSegment, SpecSource } from './locate.js';
import type { Locator } from './ajv-issues.js';
import { dataPathProblem } from './path-problems.js';

/**
 * The grid key that holds zip groups. It can never be a path: a grid path starts with a top-level key
 * of the spec, and the spec has no `zip` key (a test keeps it that way).
 */
export const ZIP_KEY = 'zip';

/** One swept path: where it writes, the values it takes, and where its list is written in the spec. */
export interface GridPath {
  readonly key: string;
  readonly segments: readonly PathSegment[];
  readonly values: readonly unknown[];
  /** The list's place in the spec: `['grid', key]`, `['grid', 'zip', key]` or `['grid', 'zip', 2, key]`. */
  readonly at: readonly PathSegment[];
}

/** One axis of the cartesian product: a path, or a zip group whose paths take their i-th values together. */
export interface GridAxis {
  readonly paths: readonly GridPath[];
  readonly length: number;
  readonly zipped: boolean;
}

/** One cell: for each axis, the index of its values. */
export type GridCombo = ReadonlyArray<readonly [GridAxis, number]>;

/** Same rule as the schema's `grid.propertyNames` (the schema reports keys that break it). */
export const AXIS_KEY = /^[A-Za-z_$][A-Za-z0-9_$]*(\.([A-Za-z0-9_$]+))*$/;

/** Top-level keys that apply to the experiment as a whole: one value for every cell. */
const WHOLE_EXPERIMENT = new Set(['$schema', 'name', 'description', 'plugins', 'grid', 'seeds', 'splits', 'search']);

const isMapping = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The paths of one mapping (the grid, or a zip group) that are well-formed lists; the schema reports the rest. */
function pathsOf(mapping: Record<string, unknown>, at: readonly PathSegment[]): GridPath[] {
  return Object.entries(mapping)
    .filter(
      (entry): entry is [string, unknown[]] =>
        Array.isArray(entry[1]) && entry[1].length > 0 && AXIS_KEY.test(entry[0]),
    )
    .map(([key, values]) => ({ key, segments: parsePath(key), values, at: [...at, key] }));
}

/** The zip groups as written: `zip: { ... }` is one group, `zip: [{ ... }, { ... }]` several. */
function zipGroups(zip: unknown): GridPath[][] {
  if (Array.isArray(zip)) return zip.map((group, i) => (isMapping(group) ? pathsOf(group, ['grid', ZIP_KEY, i]) : []));
  return isMapping(zip) ? [pathsOf(zip, ['grid', ZIP_KEY])] : [];
}

/** The axes as written, in order (zip groups where `zip:` stands), before their paths are checked. */
function writtenAxes(spec: Record<string, unknown>): GridPath[][] {
  if (!isMapping(spec.grid)) return [];
  const axes: GridPath[][] = [];
  for (const [key, value] of Object.entries(spec.grid)) {
    if (key === ZIP_KEY) axes.push(...zipGroups(value).filter((group) => group.length > 0));
    else axes.push(...pathsOf({ [key]: value }, ['grid']).map((path) => [path]));
  }
  return axes;
}

/** Every swept path and its values, zip groups' paths included (recorded with the experiment). */
export function sweptPaths(spec: Record<string, unknown>): Record<string, unknown[]> {
  return Object.fromEntries(
    writtenAxes(spec)
      .flat()
      .map((path) => [path.key, [...path.values]]),
  );
}

/** Why a path cannot be swept, if it cannot: a setting of the whole experiment, a path that cannot be set, a path swept twice. */
function pathIssue(
  spec: Record<string, unknown>,
  path: GridPath,
  sweptAt: Map<string, readonly PathSegment[]>,
  locateAt: Locator,
): SpecIssue | undefined {
  const at = (problem: SpecProblem): SpecIssue => issueAt(locateAt(path.at, true), formatPath(path.at), problem);
  if (WHOLE_EXPERIMENT.has(String(path.segments[0]))) return at(notSweepable(String(path.segments[0])));
  const problem = dataPathProblem(spec, path.segments);
  if (problem) return at(pathNotSettable(path.key, problem));
  const dotted = formatPath(path.segments);
  const first = sweptAt.get(dotted);
  if (first) return at(sweptTwice(path.key, formatPath(first)));
  // A path inside another swept path (training and training.epochs) would set one value twice per cell.
  for (const [other, where] of sweptAt) {
    if (isUnder(dotted, other) || isUnder(other, dotted)) return at(sweepsOverlap(path.key, other, formatPath(where)));
  }
  if (String(path.segments[0]) === 'seed' && Array.isArray(spec.seeds)) return at(seedSweptWithSeeds());
  sweptAt.set(dotted, path.at);
  return undefined;
}

/**
 * A value listed twice on one axis (for a zip group, the same values at two steps): it would make two
 * cells with one id, and the tables two rows for one key. Located at the repeat.
 */
function repeatedValueIssue(axis: readonly GridPath[], locateAt: Locator): SpecIssue | undefined {
  const seen = new Map<string, number>();
  for (let i = 0; i < axis[0].values.length; i++) {
    const step = JSON.stringify(axis.map((path) => path.values[i]));
    const first = seen.get(step);
    if (first !== undefined) {
      const at = [...axis[0].at, i];
      const what = axis.length === 1 ? JSON.stringify(axis[0].values[i]) : `the step ${step}`;
      return issueAt(locateAt(at, false), formatPath(at), repeatedValue(what, first));
    }
    seen.set(step, i);
  }
  return undefined;
}

/**
 * A zip group whose lists differ in length, located at the first list that differs from the group's first
 * list written in the file: a list that `--grid` replaced is the one that no longer fits, so the flag is named.
 */
function zipLengthIssue(group: readonly GridPath[], locateAt: Locator): SpecIssue | undefined {
  const first = group.find((path) => locateAt(path.at, true).origin === undefined) ?? group[0];
  const odd = group.find((path) => path.values.length !== first.values.length);
  if (!odd) return undefined;
  return issueAt(
    locateAt(odd.at, true),
    formatPath(odd.at),
    zipUneven(odd.values.length, first.key, first.values.length),
  );
}

/**
 * The axes to expand. Malformed axes are left to the base schema's messages; a path that cannot be set,
 * sets the whole experiment or is swept twice, and a zip group of unequal lists, are reported at the
 * grid and left out.
 */
export function checkedAxes(spec: Record<string, unknown>, locateAt: Locator, issues: SpecIssue[]): GridAxis[] {
  const sweptAt = new Map<string, readonly PathSegment[]>();
  const axes: GridAxis[] = [];
  for (const written of writtenAxes(spec)) {
    const zipped = written[0].at[1] === ZIP_KEY;
    const problems = written.map((path) => pathIssue(spec, path, sweptAt, locateAt));
    const uneven = zipped ? zipLengthIssue(written, locateAt) : undefined;
    const repeated = uneven ? undefined : repeatedValueIssue(written, locateAt);
    for (const problem of [...problems, uneven, repeated]) if (problem) issues.push(problem);
    const paths = written.filter((_path, i) => !problems[i]);
    if (!uneven && !repeated && paths.length > 0) axes.push({ paths, length: paths[0].values.length, zipped });
  }
  return axes;
}

/** The grid's points: the product of the axes' lengths (1 without a grid). */
export function gridPoints(axes: readonly GridAxis[]): number {
  return axes.reduce((product, axis) => product * axis.length, 1);
}

/** The most seeds `seeds:` takes (the schema's bound). */
const SEEDS_MAX = baseSchema.properties.seeds.maxItems;

/** The grid's size problem (cells x seeds), counted before any cell is built; at `seeds` when there is no grid axis. */
export function gridSizeIssue(axes: readonly GridAxis[], locateAt: Locator, seeds = 1): SpecIssue | undefined {
  const cells = gridPoints(axes) * seeds;
  if (cells <= SPEC_LIMITS.gridCells) return undefined;
  const problem = gridTooLarge(
    cells,
    axes.map((axis) => axis.length),
    seeds,
    SEEDS_MAX,
  );
  // No grid axis: the seeds alone make the count, so the problem is theirs.
  return axes.length === 0
    ? issueAt(locateAt(['seeds'], true), 'seeds', problem)
    : issueAt(locateAt(['grid'], true), 'grid', problem);
}

/** Every combination of the axes, in the order written (last axis varies fastest), one at a time. */
export function* expandGrid(axes: readonly GridAxis[]): Generator<GridCombo> {
  const indices = axes.map(() => 0);
  for (;;) {
    yield axes.map((axis, k) => [axis, indices[k]] as const);
    let k = axes.length - 1;
    while (k >= 0 && ++indices[k] === axes[k].length) indices[k--] = 0;
    if (k < 0) return;
  }
}

/** Each swept path of a cell and its value, in the order written (a zip group's paths side by side). */
export function comboValues(combo: GridCombo): Array<[GridPath, unknown]> {
  return combo.flatMap(([axis, i]) => axis.paths.map((path): [GridPath, unknown] => [path, path.values[i]]));
}

const pathLabels = new WeakMap<GridPath, string[]>();

/**
 * A cell's label: each swept path with its value's label on that path's list (`axisLabels`: a component by
 * its name, or by its name and the params that tell it from the other entries of that name), in the order
 * written: `training.optimizer.lr=0.001, distillation=kd(temperature=2)`. Empty without a grid.
 */
export function comboLabel(combo: GridCombo): string {
  const labelOf = (path: GridPath, i: number): string => {
    const labels = pathLabels.get(path) ?? axisLabels(path.values);
    pathLabels.set(path, labels);
    return labels[i];
  };
  return combo.flatMap(([axis, i]) => axis.paths.map((path) => `${path.key}=${labelOf(path, i)}`)).join(', ');
}

/** Writes a value at a path, creating mappings and lists on the way (paths were checked by checkedAxes). */
export function setPath(target: Record<string, unknown>, segments: readonly PathSegment[], value: unknown): void {
  let node: Record<string | number, unknown> = target;
  segments.slice(0, -1).forEach((segment, i) => {
    const next = node[segment];
    if (typeof next !== 'object' || next === null) node[segment] = typeof segments[i + 1] === 'number' ? [] : {};
    node = node[segment] as Record<string | number, unknown>;
  });
  node[segments[segments.length - 1]] = value;
}

const isUnder = (path: string, ancestor: string): boolean =>
  path.startsWith(`${ancestor}.`) || path.startsWith(`${ancestor}[`);

/**
 * Points problems a grid value caused at the grid: at the value for a problem of the path it sets (inside
 * a whole value, at the part of the entry concerned, as far as it is written), at the path's key for an unknown key the path itself names or a mapping it had to create.
 */
export function cellLocator(source: SpecSource, combo: GridCombo): Locator {
  return (segments, atKey) => {
    const dotted = formatPath(segments);
    for (const [path, i] of combo.flatMap(([axis, i]) => axis.paths.map((path) => [path, i] as const))) {
      const target = formatPath(path.segments);
      const createdByGrid = (): boolean => !findNode(source, segments, atKey).inFile;
      if (dotted === target && atKey && createdByGrid()) return locate(source, path.at, true);
      if (dotted === target) return locate(source, [...path.at, i]);
      // Inside a whole value (a component's param, a layer of a list): at that part of the entry, as far as written.
      const inside = [...path.at, i, ...segments.slice(path.segments.length)];
      if (isUnder(dotted, target)) return locate(source, inside, atKey);
      if (dotted !== '' && isUnder(target, dotted) && createdByGrid()) return locate(source, path.at, true);
    }
    // Problems the grid's values caused elsewhere: above a swept path (a key it made required), or in a
    // component whose name it sweeps (params the other component does not take) point at that value.
    for (const [path, i] of combo.flatMap(([axis, i]) => axis.paths.map((path) => [path, i] as const))) {
      const target = formatPath(path.segments);
      const component =
        path.segments[path.segments.length - 1] === 'name' ? formatPath(path.segments.slice(0, -1)) : undefined;
      if (
        (dotted !== '' && isUnder(target, dotted)) ||
        (component && (dotted === component || isUnder(dotted, component)))
      ) {
        return locate(source, [...path.at, i]);
      }
    }
    return locate(source, segments, atKey);
  };
}
