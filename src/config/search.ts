// The selection stage: search a role's settings, select on a validation metric, carry the winner's values to the later roles.
import {
  carryNotSearched,
  issueAt,
  notAValidationMetric,
  notSearchable,
  repeatedSearchValue,
  searchTooLarge,
} from '../errors/index.js';
import type { SpecIssue } from '../errors/index.js';
import type { Registry } from '../registry/index.js';
import { metricFacts } from '../registry/index.js';
import { axisLabels, exactText, SPEC_LIMITS } from '../shared/index.js';
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
  /** Role-relative paths and their values, expanded as a cartesian product (last path fastest). */
  readonly axes: ReadonlyArray<{ readonly path: string; readonly values: readonly unknown[] }>;
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
  if (!isObject(search) || !isObject(search.grid)) return undefined;
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
  const written = Object.keys(search.grid);
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
  const selected = selectedMetric(search.select, metrics, registry, at, issues);
  // Counted before the points are built, like the grid's cells.
  const points = axes.reduce((product, axis) => product * axis.values.length, 1);
  if (points > SPEC_LIMITS.gridCells) {
    issues.push(issueAt(at(['search', 'grid'], true), 'search.grid', searchTooLarge(points)));
    return undefined;
  }
  if (!selected || axes.length === 0) return undefined;
  return { role: 'teacher', axes, points: expandPoints(axes), ...selected, carry };
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
