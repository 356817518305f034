// Grid axes: checked (paths, size) before any cell is built, expanded lazily, and problems located at the grid.
import type { SpecIssue } from '../errors.js';
import { SPEC_LIMITS } from './limits.js';
import { findNode, formatPath, locate, parsePath, printableKey } from './locate.js';
import type { PathSegment, SpecSource } from './locate.js';
import type { Locator } from './messages.js';
import { dataPathProblem } from './path-problems.js';

/** One axis of the grid: the path it sets and the values it takes. */
export interface GridAxis {
  readonly key: string;
  readonly segments: readonly PathSegment[];
  readonly values: readonly unknown[];
}

/** One cell: for each axis, the index of its value. */
export type GridCombo = ReadonlyArray<readonly [GridAxis, number]>;

/** Same rule as the schema's `grid.propertyNames` (the schema reports keys that break it). */
const AXIS_KEY = /^[A-Za-z_$][A-Za-z0-9_$]*(\.([A-Za-z0-9_$]+))*$/;

/** Top-level keys that apply to the experiment as a whole: one value for every cell. */
const WHOLE_EXPERIMENT = new Set(['$schema', 'name', 'description', 'plugins', 'grid', 'seeds']);

/** The grid axes as written: every key with a list of values, in order. */
export function gridAxes(spec: Record<string, unknown>): Record<string, unknown[]> {
  const grid = spec.grid;
  if (typeof grid !== 'object' || grid === null || Array.isArray(grid)) return {};
  return Object.fromEntries(Object.entries(grid).filter((entry): entry is [string, unknown[]] => Array.isArray(entry[1])));
}

/**
 * The axes to expand. Malformed axes are left to the base schema's messages; an axis on a path that
 * cannot be set, or on a setting of the whole experiment, is reported at its grid entry and left out.
 */
export function checkedAxes(spec: Record<string, unknown>, locateAt: Locator, issues: SpecIssue[]): GridAxis[] {
  const axes: GridAxis[] = [];
  for (const [key, values] of Object.entries(gridAxes(spec))) {
    if (values.length === 0 || !AXIS_KEY.test(key)) continue;
    const segments = parsePath(key);
    const at = { location: locateAt(['grid', key], true), path: `grid.${printableKey(key)}` };
    if (WHOLE_EXPERIMENT.has(String(segments[0]))) {
      issues.push({ ...at, message: `${segments[0]} applies to the whole experiment and cannot be swept`, hint: 'write one spec per value' });
      continue;
    }
    const problem = dataPathProblem(spec, segments);
    if (problem) {
      issues.push({ ...at, message: `cannot sweep ${key}: ${problem}` });
      continue;
    }
    axes.push({ key, segments, values });
  }
  return axes;
}

/** The grid's size problem, counted before any cell is built. */
export function gridSizeIssue(axes: readonly GridAxis[], locateAt: Locator): SpecIssue | undefined {
  const cells = axes.reduce((product, axis) => product * axis.values.length, 1);
  if (cells <= SPEC_LIMITS.gridCells) return undefined;
  return {
    location: locateAt(['grid'], true),
    path: 'grid',
    message: `makes ${cells} cells (${axes.map((axis) => axis.values.length).join(' x ')}); at most ${SPEC_LIMITS.gridCells} are allowed`,
    hint: 'split the sweep into several specs',
  };
}

/** Every combination of the axes, in the order written (last axis varies fastest), one at a time. */
export function* expandGrid(axes: readonly GridAxis[]): Generator<GridCombo> {
  const indices = axes.map(() => 0);
  for (;;) {
    yield axes.map((axis, k) => [axis, indices[k]] as const);
    let k = axes.length - 1;
    while (k >= 0 && ++indices[k] === axes[k].values.length) indices[k--] = 0;
    if (k < 0) return;
  }
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

const isUnder = (path: string, ancestor: string): boolean => path.startsWith(`${ancestor}.`) || path.startsWith(`${ancestor}[`);

/**
 * Points problems a grid value caused at the grid: at the value for a problem inside the path it sets,
 * at the axis key for an unknown key the axis path itself names or a mapping it had to create.
 */
export function cellLocator(source: SpecSource, combo: GridCombo): Locator {
  return (segments, atKey) => {
    const dotted = formatPath(segments);
    for (const [axis, i] of combo) {
      const target = formatPath(axis.segments);
      const createdByGrid = (): boolean => !findNode(source, segments, atKey).inFile;
      if (dotted === target && atKey && createdByGrid()) return locate(source, ['grid', axis.key], true);
      if (dotted === target || isUnder(dotted, target)) return locate(source, ['grid', axis.key, i]);
      if (dotted !== '' && isUnder(target, dotted) && createdByGrid()) return locate(source, ['grid', axis.key], true);
    }
    return locate(source, segments, atKey);
  };
}
