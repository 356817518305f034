// What identifies a run directory's experiment: its name, every cell it may run, its metric columns and axes.
import type { ResolvedExperiment } from '../config/index.js';
import { hasValidation, splitSeedOf } from '../config/index.js';
import type { Registry } from '../registry/index.js';
import { axesOf } from '../results/index.js';
import type { RunIdentity } from '../results/index.js';
import { contentHash } from '../shared/index.js';
import type { DatasetCache } from './dataset-cache.js';
import { metricFactsOf } from './model.js';
import type { PlannedCell } from './plan.js';
import { readsRepresentations } from './representations.js';

/** The metric columns of the results table: every metric of every role of every cell, in first-seen order. */
export function metricColumns(experiment: ResolvedExperiment, registry: Registry): string[] {
  const columns = new Set<string>();
  for (const cell of experiment.cells) {
    for (const model of Object.values(cell.config.models)) {
      for (const ref of model.training.metrics) {
        columns.add(metricFactsOf(registry, ref).column);
      }
    }
  }
  return [...columns];
}

/**
 * The optional columns the experiment's cells need: `extra_params` when a distillation method reads
 * representations, `train_examples` when a cell trains on a transfer set.
 */
export function optionalColumns(
  experiment: ResolvedExperiment,
  registry: Registry,
): { representations: boolean; transfer: boolean } {
  const cells = experiment.search ? experiment.search.finals.flat() : experiment.cells;
  return {
    representations: cells.some((cell) => readsRepresentations(registry, cell.config.distillation)),
    transfer: cells.some((cell) => cell.config.transfer !== undefined),
  };
}

/**
 * Whether the run writes confusion.csv (some cell is a classification) and with class names (some dataset
 * names its classes); undefined when no cell is a classification.
 */
export async function confusionShape(
  cells: readonly PlannedCell[],
  datasets: DatasetCache,
): Promise<RunIdentity['confusion']> {
  let names = false;
  let classification = false;
  for (const planned of cells) {
    if (planned.cell.config.task !== 'classification') continue;
    classification = true;
    names ||= (await datasets.get(planned)).dataset.classNames !== undefined;
  }
  return classification ? { names } : undefined;
}

/**
 * What a run directory must hold to be resumed by this experiment: its name, cells and columns. `confusion`
 * (the shape of confusion.csv) is not hashed: a run begun by a version without it resumes.
 */
export function runIdentity(
  experiment: ResolvedExperiment,
  metrics: readonly string[],
  {
    representations = false,
    transfer = false,
    confusion,
  }: { representations?: boolean; transfer?: boolean; confusion?: RunIdentity['confusion'] } = {},
): RunIdentity {
  const resolved = experiment.cells.map((cell) => cell.config);
  // A held-out share or the dataset's own validation file: either gives val_ columns.
  const validation = experiment.cells.some((cell) => hasValidation(cell.config));
  const search = experiment.search !== undefined;
  // A search's winner is not known before it runs: every possible outcome identifies the experiment.
  const all = experiment.search ? [...experiment.search.cells, ...experiment.search.finals.flat()] : experiment.cells;
  const cells = all.map((cell) => `${cell.id}/${cell.seed}`);
  const axes = axesOf(experiment.cells);
  // Seeds that split as another seed does hold other rows than a run that split with each seed: another
  // experiment. Runs whose seeds all split with their own seed keep the hash they had.
  const splits = all.some((cell) => cell.config.splitSeed !== undefined)
    ? { splitSeeds: all.map((cell) => splitSeedOf(cell.config)) }
    : {};
  return {
    // Only when set, so that the runs of earlier versions keep their hashes.
    hash: contentHash(
      {
        name: experiment.name,
        cells,
        metrics,
        validation,
        axes,
        search,
        ...(representations ? { representations } : {}),
        ...(transfer ? { transfer } : {}),
        ...splits,
      },
      16,
    ),
    spec: experiment.spec,
    resolved,
    metrics,
    validation,
    axes,
    search,
    representations,
    transfer,
    ...(confusion ? { confusion } : {}),
  };
}
