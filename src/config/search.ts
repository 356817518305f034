// The selection stage: search a role's settings, select on a validation metric, carry the winner's values to the later roles.
import {
  carryNotSearched,
  issueAt,
  notAValidationMetric,
  notSearchable,
  repeatedSearchValue,
  searchRange,
  searchSpaceTooSmall,
  searchStrategy,
  searchTooLarge,
} from '../errors/index.js';
import type { SpecIssue } from '../errors/index.js';
import type { Registry } from '../registry/index.js';
import { metricFacts } from '../registry/index.js';
import { axisLabels, createRandom, exactText, SPEC_LIMITS } from '../shared/index.js';
import { DEFAULT_SEED } from './defaults.js';
import { setPath } from './grid.js';
import { printableKey } from '../shared/index.js';
import { parsePath } from './locate.js';
import type { Locator } from './ajv-issues.js';

type Json = Record<string, unknown>;

/** A metric the searched role records, as its training resolved it (resolved-config.ts's ComponentRef imports this file). */
type MetricRef = { readonly name: string; readonly params: Readonly<Record<string, unknown>> };

/** One point of the search space: role-relative path (`training.optimizer.lr`) → value. */
export type SearchPoint = Readonly<Record<string, unknown>>;

/** `search:` resolved: what is searched, how the winner is chosen and what it passes on. */
export interface ResolvedSearch {
  /** The searched role (the teacher: it is trained before the roles that learn from it). */
  readonly role: 'teacher';
  /** `grid`: every combination of the values listed; `random`: points drawn from a distribution per path. */
  readonly strategy: 'grid' | 'random';
  /**
   * Role-relative paths and their values: a grid's, expanded as a cartesian product (last path fastest); a
   * random search's, the values drawn, in the order first drawn.
   */
  readonly axes: ReadonlyArray<{ readonly path: string; readonly values: readonly unknown[] }>;
  /** A random search: how many points, the seed of the draws, and each path's distribution as written. */
  readonly random?: {
    readonly n: number;
    readonly seed: number;
    readonly space: Readonly<Record<string, Distribution>>;
  };
  readonly points: readonly SearchPoint[];
  /** The validation metric's column (without `val_`) and its direction. */
  readonly metric: string;
  readonly higherIsBetter: boolean;
  /** Searched paths whose winning values the student and the person train with. */
  readonly carry: readonly string[];
}

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The paths a search may set: the teacher's own settings. */
const SEARCHABLE = /^(training|layers)(\.|$)/;

/** A distribution of `search.random.space`, as the base schema checked it (one key, its list). */
export type Distribution =
  | { readonly uniform: readonly [number, number] }
  | { readonly loguniform: readonly [number, number] }
  | { readonly int: readonly [number, number] }
  | { readonly choice: readonly unknown[] };

/** Drawn numbers keep 4 significant digits: a point's label stays readable, and is a value a user can type. */
const roundDrawn = (value: number): number => Number(value.toPrecision(4));

/** One value of a distribution from a uniform draw `u` in [0, 1). */
function drawValue(distribution: Distribution, u: number): unknown {
  if ('uniform' in distribution) {
    const [low, high] = distribution.uniform;
    return roundDrawn(low + u * (high - low));
  }
  if ('loguniform' in distribution) {
    const [low, high] = distribution.loguniform;
    return roundDrawn(Math.exp(Math.log(low) + u * (Math.log(high) - Math.log(low))));
  }
  if ('int' in distribution) {
    const [low, high] = distribution.int;
    return Math.min(high, low + Math.floor(u * (high - low + 1)));
  }
  const { choice } = distribution;
  return structuredClone(choice[Math.min(choice.length - 1, Math.floor(u * choice.length))]);
}

/** A distribution as the base schema wants it (one known key with its list): the schema reports any other. */
function isDistribution(value: unknown): value is Distribution {
  if (!isObject(value)) return false;
  const entries = Object.entries(value);
  if (entries.length !== 1 || !Array.isArray(entries[0][1])) return false;
  const [kind, list] = entries[0] as [string, unknown[]];
  if (kind === 'choice') return list.length > 0;
  const numbers = list.length === 2 && list.every((x) => typeof x === 'number' && Number.isFinite(x));
  if (kind === 'uniform') return numbers;
  if (kind === 'loguniform') return numbers && (list[0] as number) > 0 && (list[1] as number) > 0;
  return kind === 'int' && numbers && list.every(Number.isInteger);
}

/** How many different values a distribution gives: a choice's distinct values, an int range's; Infinity for a continuous range. */
function distinctValues(distribution: Distribution): number {
  if ('choice' in distribution) return new Set(distribution.choice.map((value) => JSON.stringify(value))).size;
  if ('int' in distribution) return distribution.int[1] - distribution.int[0] + 1;
  const [low, high] = 'uniform' in distribution ? distribution.uniform : distribution.loguniform;
  return low === high ? 1 : Infinity;
}

/** Draws a redrawn point at most this many times per point asked for before the space is called too small. */
const REDRAWS_PER_POINT = 100;

/**
 * `n` different points of a random search: per point, one draw per path in the order written, from a seeded
 * generator, so the same spec draws the same points. A point drawn before is drawn again.
 */
export function drawPoints(
  space: Readonly<Record<string, Distribution>>,
  n: number,
  seed: number,
): SearchPoint[] | undefined {
  const points = drawDistinct(space, n, seed);
  return points.length === n ? points : undefined;
}

/** Up to `n` distinct points drawn from `space` with `seed`, in at most n * REDRAWS_PER_POINT draws. */
function drawDistinct(space: Readonly<Record<string, Distribution>>, n: number, seed: number): SearchPoint[] {
  const random = createRandom(seed);
  const points: SearchPoint[] = [];
  const seen = new Set<string>();
  for (let attempt = 0; points.length < n && attempt < n * REDRAWS_PER_POINT; attempt++) {
    const point = Object.fromEntries(Object.entries(space).map(([path, d]) => [path, drawValue(d, random())]));
    const key = JSON.stringify(point);
    if (seen.has(key)) continue;
    seen.add(key);
    points.push(point);
  }
  return points;
}

/** The axes of drawn points: each path's values in the order first drawn (for labels). */
function drawnAxes(
  space: Readonly<Record<string, Distribution>>,
  points: readonly SearchPoint[],
): ResolvedSearch['axes'] {
  return Object.keys(space).map((path) => {
    const values: unknown[] = [];
    const seen = new Set<string>();
    for (const point of points) {
      const key = JSON.stringify(point[path]);
      if (!seen.has(key)) {
        seen.add(key);
        values.push(point[path]);
      }
    }
    return { path, values };
  });
}

/** The seed of a random search's draws: its own, else the spec's seed, else its first seed. */
function drawSeed(spec: Json, random: Json): number {
  if (typeof random.seed === 'number') return random.seed;
  if (typeof spec.seed === 'number') return spec.seed;
  if (Array.isArray(spec.seeds) && typeof spec.seeds[0] === 'number') return spec.seeds[0];
  return DEFAULT_SEED;
}

/**
 * `search.random` (checked against the base schema): its paths judged like a grid's, each range checked, and
 * its points drawn; undefined (with the problems said) when it cannot be.
 */
function randomSearch(
  spec: Json,
  random: Json,
  at: Locator,
  issues: SpecIssue[],
): Pick<ResolvedSearch, 'axes' | 'points' | 'random'> | undefined {
  const space = (isObject(random.space) ? random.space : {}) as Record<string, Distribution>;
  const n = typeof random.n === 'number' ? random.n : 0;
  let fine = Object.keys(space).length > 0 && n > 0;
  for (const [path, distribution] of Object.entries(space)) {
    if (!SEARCHABLE.test(path)) {
      issues.push(
        issueAt(
          at(['search', 'random', 'space', path], true),
          `search.random.space.${printableKey(path)}`,
          notSearchable(),
        ),
      );
      fine = false;
      continue;
    }
    if (!isDistribution(distribution)) {
      // The base schema has said what is wrong with it.
      fine = false;
      continue;
    }
    const [kind, range] = Object.entries(distribution)[0];
    if (kind !== 'choice' && Array.isArray(range) && range[0] > range[1]) {
      issues.push(
        issueAt(
          at(['search', 'random', 'space', path, kind], false),
          `search.random.space.${printableKey(path)}.${kind}`,
          searchRange(kind, range[0] as number, range[1] as number),
        ),
      );
      fine = false;
    }
  }
  if (!fine) return undefined;
  const size = Object.values(space).reduce((product, d) => product * distinctValues(d), 1);
  const seed = drawSeed(spec, random);
  const points = n <= size ? drawPoints(space, n, seed) : undefined;
  if (!points) {
    // Too few distinct points, or (a narrow continuous range rounded to 4 digits) too few found by drawing.
    const drawn = !Number.isFinite(size);
    const found = drawn ? drawDistinct(space, n, seed).length : size;
    issues.push(issueAt(at(['search', 'random', 'n'], false), 'search.random.n', searchSpaceTooSmall(n, found, drawn)));
    return undefined;
  }
  return { axes: drawnAxes(space, points), points, random: { n, seed, space } };
}

/** Every combination of the axes, in the order written (last varies fastest). */
function expandPoints(axes: ResolvedSearch['axes']): SearchPoint[] {
  let points: Array<Record<string, unknown>> = [{}];
  for (const { path, values } of axes) {
    points = points.flatMap((point) => values.map((value) => ({ ...point, [path]: value })));
  }
  return points;
}

/** The metric to select on: a `val_` column of a metric the searched role records. */
function selectedMetric(
  select: unknown,
  metrics: readonly MetricRef[],
  registry: Registry,
  at: Locator,
  issues: SpecIssue[],
): { metric: string; higherIsBetter: boolean } | undefined {
  const metric = isObject(select) ? select.metric : select;
  if (typeof metric !== 'string') return undefined; // the base schema has reported it
  const facts = metrics.flatMap((ref) => {
    const found = registry.lookup('metric', ref.name).found;
    if (!found || found.definition.kind !== 'metric') return [];
    // The role's training has reported a column its metric could not name.
    try {
      return [metricFacts(found.definition, ref.params)];
    } catch {
      return [];
    }
  });
  const watched = metric.startsWith('val_') ? facts.find((f) => f.column === metric.slice(4)) : undefined;
  if (!watched) {
    issues.push(
      issueAt(
        at(['search', 'select'], false),
        'search.select',
        notAValidationMetric(
          metric,
          'teacher',
          facts.map((f) => `val_${f.column}`),
        ),
      ),
    );
    return undefined;
  }
  const goal = isObject(select) ? select.goal : undefined;
  return {
    metric: watched.column,
    higherIsBetter: goal === 'max' ? true : goal === 'min' ? false : watched.higherIsBetter,
  };
}

/**
 * Reads `search:` (already checked against the base schema). Paths are relative to the searched role:
 * `training.optimizer.lr` is the teacher's learning rate, whether the spec sets it under `training:`
 * or under `models.teacher.training:`.
 */
export function resolveSearch(
  spec: Json,
  metrics: readonly MetricRef[],
  registry: Registry,
  at: Locator,
  issues: SpecIssue[],
): ResolvedSearch | undefined {
  const search = spec.search;
  if (!isObject(search)) return undefined;
  const random = isObject(search.random) ? search.random : undefined;
  if ((search.grid === undefined) === (search.random === undefined)) {
    issues.push(issueAt(at(['search'], true), 'search', searchStrategy(search.grid !== undefined)));
    return undefined;
  }
  if (random) return resolveRandom(spec, search, random, metrics, registry, at, issues);
  if (!isObject(search.grid)) return undefined;
  const axes = Object.entries(search.grid).flatMap(([path, values]) => {
    if (!Array.isArray(values) || values.length === 0) return [];
    if (!SEARCHABLE.test(path)) {
      issues.push(issueAt(at(['search', 'grid', path], true), `search.grid.${printableKey(path)}`, notSearchable()));
      return [];
    }
    const seen = new Map<string, number>();
    const repeat = values.findIndex((value, i) => {
      const key = JSON.stringify(value);
      if (seen.has(key)) return true;
      seen.set(key, i);
      return false;
    });
    if (repeat >= 0) {
      const first = seen.get(JSON.stringify(values[repeat])) as number;
      issues.push(
        issueAt(
          at(['search', 'grid', path, repeat], false),
          `search.grid.${printableKey(path)}[${repeat}]`,
          repeatedSearchValue(values[repeat], first),
        ),
      );
      return [];
    }
    return [{ path, values }];
  });
  const carry = Array.isArray(search.carry) ? search.carry.filter((p): p is string => typeof p === 'string') : [];
  // A carried path the grid writes but refused (a repeated value, a path outside the teacher's settings) has its problem said there.
  carryProblems(carry, Object.keys(search.grid), at, issues);
  const selected = selectedMetric(search.select, metrics, registry, at, issues);
  // Counted before the points are built, like the grid's cells.
  const points = axes.reduce((product, axis) => product * axis.values.length, 1);
  if (points > SPEC_LIMITS.gridCells) {
    issues.push(issueAt(at(['search', 'grid'], true), 'search.grid', searchTooLarge(points)));
    return undefined;
  }
  if (!selected || axes.length === 0) return undefined;
  return { role: 'teacher', strategy: 'grid', axes, points: expandPoints(axes), ...selected, carry };
}

/** The paths of `carry` that are not among `searched` (written), each said where it is. */
function carryProblems(carry: readonly string[], written: readonly string[], at: Locator, issues: SpecIssue[]): void {
  carry.forEach((path, i) => {
    if (written.includes(path)) return;
    issues.push(
      issueAt(
        at(['search', 'carry', i], false),
        `search.carry[${i}]`,
        carryNotSearched(
          path,
          written.filter((p) => SEARCHABLE.test(p)),
        ),
      ),
    );
  });
}

/** A random search resolved: its drawn points, the metric it selects on and what it carries. */
function resolveRandom(
  spec: Json,
  search: Json,
  random: Json,
  metrics: readonly MetricRef[],
  registry: Registry,
  at: Locator,
  issues: SpecIssue[],
): ResolvedSearch | undefined {
  const drawn = randomSearch(spec, random, at, issues);
  const carry = Array.isArray(search.carry) ? search.carry.filter((p): p is string => typeof p === 'string') : [];
  carryProblems(carry, Object.keys(isObject(random.space) ? random.space : {}), at, issues);
  const selected = selectedMetric(search.select, metrics, registry, at, issues);
  if (!selected || !drawn) return undefined;
  return { role: 'teacher', strategy: 'random', ...drawn, ...selected, carry };
}

/** Sets a copy of `value` at a dotted path inside `target`, creating what is missing on the way. */
function setAt(target: Json, path: string, value: unknown): void {
  setPath(target, parsePath(path), structuredClone(value));
}

/**
 * The teacher's training settings made its own (the shared ones, then its own over them, as the
 * resolver merges them), so that a searched path changes only the teacher and keeps the rest:
 * searching `training.optimizer.lr` keeps the optimizer's name and momentum.
 */
function ownTeacher(spec: Json): Json {
  const data = structuredClone(spec);
  const models = isObject(data.models) ? data.models : {};
  const teacher = isObject(models.teacher) ? models.teacher : {};
  const shared = isObject(data.training) ? data.training : {};
  const own = isObject(teacher.training) ? teacher.training : {};
  models.teacher = { ...teacher, training: structuredClone({ ...shared, ...own }) };
  data.models = models;
  return data;
}

/** The spec of one search point: the teacher with the point's values. */
export function searchPointSpec(spec: Json, point: SearchPoint): Json {
  const data = ownTeacher(spec);
  const teacher = (data.models as Json).teacher as Json;
  for (const [path, value] of Object.entries(point)) setAt(teacher, path, value);
  delete data.search;
  return data;
}

/**
 * The spec the later roles run with: the winning teacher, and the carried values in the shared
 * training (which the student and the person use unless they set that key themselves, in which case
 * their own setting gets the value).
 */
export function carriedSpec(spec: Json, search: ResolvedSearch, winner: SearchPoint): Json {
  const data = searchPointSpec(spec, winner);
  const models = data.models as Json;
  for (const path of search.carry) {
    const [top, ...rest] = parsePath(path);
    if (top === 'training') {
      const key = String(rest[0]);
      setAt(data, path, winner[path]);
      for (const role of ['student', 'person']) {
        const own =
          isObject(models[role]) && isObject((models[role] as Json).training)
            ? ((models[role] as Json).training as Json)
            : undefined;
        if (own && key in own) setAt(models[role] as Json, path, winner[path]);
      }
    } else {
      for (const role of ['student', 'person']) {
        if (isObject(models[role])) setAt(models[role] as Json, path, winner[path]);
      }
    }
  }
  return data;
}

/**
 * A search point as a label, `lr=0.05, momentum=0.9` (each path after `prefix`): each value labelled on its
 * axis as a grid cell's are (a component by its name, or by name and the params that differ).
 */
export function pointLabel(search: Pick<ResolvedSearch, 'axes'>, point: SearchPoint, prefix = ''): string {
  return search.axes
    .map(({ path, values }) => {
      const label = axisLabels(values)[values.indexOf(point[path])] ?? exactText(point[path]);
      return `${prefix}${path}=${label}`;
    })
    .join(', ');
}
