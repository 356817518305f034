// `--grid PATH=VALUES`: adds or replaces one grid axis from the command line, located as the flag.
import { isAlias, isMap, isScalar, isSeq, parse } from 'yaml';
import type { Node } from 'yaml';
import { describeScalar, errorInvalidArgument, showValue } from '../errors/index.js';
import { AXIS_KEY, ZIP_KEY } from './grid.js';
import { childNode, findPair, formatPath } from './locate.js';
import type { PathSegment, SpecSource } from './locate.js';

const EXAMPLE = 'e.g. --grid training.optimizer.lr=[0.001,0.01]';

/** YAML text as a value, or the parser's first line of complaint. */
function parseYaml(text: string, flag: string): unknown {
  try {
    return parse(text);
  } catch (error) {
    const message = String((error as Error)?.message ?? error)
      .split('\n')[0]
      .replace(/ at line \d+, column \d+:?$/, '');
    throw errorInvalidArgument(flag, `value is not valid YAML: ${message}`);
  }
}

/**
 * Splits `path=[values]` and checks both halves.
 * @throws DistilError INVALID_ARGUMENT naming the flag.
 */
function parseGridFlag(flag: string): { key: string; values: unknown[] } {
  const eq = flag.indexOf('=');
  const key = flag.slice(0, Math.max(eq, 0)).trim();
  if (eq <= 0) throw errorInvalidArgument('--grid', `expected PATH=VALUES, got "${flag}" (${EXAMPLE})`);
  if (key === ZIP_KEY) {
    throw errorInvalidArgument(
      `--grid ${flag}`,
      `"${ZIP_KEY}" names the grid's zip groups, not a path (write the group in the spec, or --set 'grid.zip={a.b: [1, 2], c.d: [3, 4]}')`,
    );
  }
  if (!AXIS_KEY.test(key)) {
    throw errorInvalidArgument('--grid', `"${key}" is not a dotted path of the spec (${EXAMPLE})`);
  }
  const values = parseYaml(flag.slice(eq + 1), `--grid ${key}`);
  if (!Array.isArray(values) || values.length === 0) {
    const got = Array.isArray(values) ? 'an empty list' : showValue(values);
    throw errorInvalidArgument(
      `--grid ${flag}`,
      `expected a YAML list of at least one value, got ${got} (one value for every cell: --set ${key}=...)`,
    );
  }
  return { key, values };
}

/** The spec's `grid:` mapping, created when the spec has none. */
function gridNode(source: SpecSource, flag: string): Node {
  const grid = source.doc.get('grid', true) as Node | undefined;
  if (grid === undefined || (isScalar(grid) && grid.value === null)) {
    source.doc.set('grid', source.doc.createNode({}));
    return source.doc.get('grid', true) as Node;
  }
  if (isMap(grid)) return grid;
  const what = isSeq(grid)
    ? 'a list'
    : isAlias(grid)
      ? `an alias (*${grid.source})`
      : describeScalar(isScalar(grid) ? grid.value : undefined);
  throw errorInvalidArgument(
    `--grid ${flag}`,
    `the spec's grid is ${what}, not a mapping of paths to lists (fix grid: in the spec)`,
  );
}

/** Where the axis `key` goes: into the zip group that already sweeps it, else its own entry of the grid. */
function axisPlace(grid: Node, key: string): PathSegment[] {
  const zip = childNode(grid, ZIP_KEY);
  if (isMap(zip) && findPair(zip, key)) return ['grid', ZIP_KEY, key];
  if (isSeq(zip)) {
    const group = zip.items.findIndex((item) => isMap(item) && findPair(item, key));
    if (group >= 0) return ['grid', ZIP_KEY, group, key];
  }
  return ['grid', key];
}

/**
 * Applies `--grid PATH=VALUES` flags: each adds the axis, or replaces the list of the axis (or zip-group
 * path) that sweeps PATH. Problems the values cause are reported as `file (--grid PATH=VALUES)`.
 * @throws DistilError INVALID_ARGUMENT naming the flag, for a malformed flag or a grid that is not a mapping.
 */
export function applyGridFlags(source: SpecSource, flags: readonly string[]): void {
  for (const flag of flags) {
    const { key, values } = parseGridFlag(flag);
    const place = axisPlace(gridNode(source, flag), key);
    source.doc.setIn(place, source.doc.createNode(values));
    source.origins.set(formatPath(place), `--grid ${flag}`);
  }
}

/**
 * The axis a `--set grid.a.b=...` meant, when it names a dotted grid path that `--set` would read as
 * nested keys (`grid` → `a` → `b`), so the user can be pointed at `--grid`.
 */
export function nestedAxisKey(segments: readonly PathSegment[]): string | undefined {
  if (segments[0] !== 'grid') return undefined;
  let i = 1;
  if (segments[i] === ZIP_KEY) i += typeof segments[i + 1] === 'number' ? 2 : 1;
  // `grid.seed.0` is the first value of the axis `seed`; `grid.training.epochs` is no axis at all.
  return typeof segments[i] === 'string' && typeof segments[i + 1] === 'string'
    ? segments.slice(i).join('.')
    : undefined;
}
