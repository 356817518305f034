// Refuses metrics that cannot be computed on the loaded data (a class it does not have, a split without its
// examples), before any run directory is created or anything trains.
import type { ResolvedConfig } from '../config/index.js';
import { errorMetricDataset } from '../errors/index.js';
import type { MetricDatasetFacts, Registry } from '../registry/index.js';
import { ROLES } from '../shared/index.js';
import type { Role } from '../shared/index.js';
import type { DatasetCache, LoadedData } from './dataset-cache.js';
import type { PlannedCell } from './plan.js';
import type { SplitTensors } from './train.js';

/** Examples of each class in a split's labels. */
function classCounts(split: SplitTensors, classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (const label of split.y.dataSync()) if (label >= 0 && label < classes) counts[label]++;
  return counts;
}

/** What a metric's `checkDataset` is told of loaded data: its task, classes, names and each split's class counts. */
function datasetFacts(data: LoadedData): MetricDatasetFacts {
  const { task, outputSize, classNames } = data.dataset;
  if (task !== 'classification') return { task };
  const counts = {
    test: classCounts(data.test, outputSize),
    ...(data.validation ? { validation: classCounts(data.validation, outputSize) } : {}),
  };
  return { task, classes: outputSize, ...(classNames ? { classNames } : {}), classCounts: counts };
}

/** The roles (of `of`) of a config that record each metric (by its reference as JSON), in role order. */
function metricRoles(config: ResolvedConfig, of: readonly Role[]): Map<string, Role[]> {
  const roles = new Map<string, Role[]>();
  for (const role of of) {
    for (const ref of config.models[role].training.metrics) {
      const key = JSON.stringify(ref);
      roles.set(key, [...(roles.get(key) ?? []), role]);
    }
  }
  return roles;
}

/** `teacher`, `teacher and student`, `teacher, student and person`. */
function listed(roles: readonly Role[]): string {
  return roles.length <= 1 ? roles.join('') : `${roles.slice(0, -1).join(', ')} and ${roles[roles.length - 1]}`;
}

/** A metric reference as a message names it: `class-accuracy (class: 12)`. */
function describeRef(ref: { name: string; params: Readonly<Record<string, unknown>> }): string {
  const params = Object.entries(ref.params).map(([key, value]) => `${key}: ${JSON.stringify(value)}`);
  return params.length > 0 ? `${ref.name} (${params.join(', ')})` : ref.name;
}

/** A metric that cannot be computed on a dataset: the roles recording it, and `metric <ref>: <why>`. */
export interface MetricProblem {
  readonly roles: readonly Role[];
  readonly problem: string;
}

/** Why the metrics of a config's `roles` cannot be computed on its loaded data, if some cannot. */
export function metricProblems(
  config: ResolvedConfig,
  data: LoadedData,
  registry: Registry,
  options: { roles?: readonly Role[]; facts?: MetricDatasetFacts } = {},
): MetricProblem[] {
  const facts = options.facts ?? datasetFacts(data);
  const problems: MetricProblem[] = [];
  for (const [key, roles] of metricRoles(config, options.roles ?? ROLES)) {
    const ref = JSON.parse(key) as { name: string; params: Record<string, unknown> };
    const { definition } = registry.get('metric', ref.name);
    if (definition.kind !== 'metric' || !definition.checkDataset) continue;
    const check = definition.checkDataset as (params: unknown, dataset: MetricDatasetFacts) => unknown;
    let why: unknown;
    try {
      why = check(ref.params, facts);
    } catch (error) {
      // A plugin's check is plain JavaScript: what it throws is its answer, not a crash of the run.
      why = `checking the dataset failed: ${(error as Error)?.message ?? String(error)}`;
    }
    if (typeof why === 'string' && why !== '') problems.push({ roles, problem: `metric ${describeRef(ref)}: ${why}` });
  }
  return problems;
}

/**
 * Asks every metric of every cell and role whether it can be computed on the cell's loaded dataset (each
 * cell once, whatever its seeds), before anything trains.
 * @throws DistilError METRIC_DATASET (exit 2) naming each cell, its roles and the metric, with the metric's reason.
 */
export async function assertMetricsFit(
  cells: readonly PlannedCell[],
  datasets: DatasetCache,
  registry: Registry,
): Promise<void> {
  const problems = new Set<string>();
  const facts = new Map<LoadedData, MetricDatasetFacts>();
  for (const planned of cells) {
    const data = await datasets.get(planned);
    if (!facts.has(data)) facts.set(data, datasetFacts(data));
    const cell = `cell ${planned.cell.id}${planned.label ? ` (${planned.label})` : ''}`;
    for (const { roles, problem } of metricProblems(planned.cell.config, data, registry, { facts: facts.get(data) })) {
      problems.add(`${cell}, ${listed(roles)}: ${problem}`);
    }
  }
  if (problems.size > 0) throw errorMetricDataset([...problems]);
}
