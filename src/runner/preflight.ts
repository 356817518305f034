// What a run refuses once its data is loaded and before it trains: models that do not fit the data, methods,
// augmentations, transfer sets and metrics the data cannot take. The run and `validate --data` ask the same.
import type { ResolvedExperiment } from '../config/index.js';
import type { DistilWarning } from '../errors/index.js';
import type { Registry } from '../registry/index.js';
import { assertAugmentationsFit } from './augment.js';
import { DatasetCache } from './dataset-cache.js';
import { assertMetricsFit } from './metric-check.js';
import { assertModelsFit } from './memory-check.js';
import type { PlannedCell } from './plan.js';
import { assertMethodsFit } from './representations.js';
import { planStages, stagePlans } from './stages.js';
import { assertTransferSetsFit } from './transfer.js';

/**
 * Refuses cells whose models, methods, augmentations, transfer sets or metrics their loaded data cannot take.
 * @throws DistilError MODEL_SHAPE, METHOD_FEATURES, AUGMENTATION, TRANSFER_SET, METRIC_DATASET (exit 2).
 */
export async function assertCellsTakeTheirData(
  cells: readonly PlannedCell[],
  datasets: DatasetCache,
  registry: Registry,
  warn: (warning: DistilWarning) => void,
): Promise<void> {
  await assertModelsFit(cells, datasets, registry, warn);
  await assertMethodsFit(cells, datasets, registry);
  await assertAugmentationsFit(cells, datasets);
  await assertTransferSetsFit(cells, datasets);
  await assertMetricsFit(cells, datasets, registry);
}

/**
 * `validate --data`: loads every dataset the experiment's cells use, whole, as the run does, and refuses what
 * the run would refuse before training (see {@link assertCellsTakeTheirData}).
 */
export async function validateCellsTakeTheirData(
  experiment: ResolvedExperiment,
  registry: Registry,
  options: { readonly selection?: string },
  warn: (warning: DistilWarning) => void,
): Promise<void> {
  // Every cell, whatever shard a command line names: each shard's cells are some of them.
  const plans = stagePlans(experiment, planStages(experiment, { selection: options.selection }), {});
  const cells = [...(plans.search?.cells ?? []), ...plans.final.cells];
  const datasets = new DatasetCache(registry, experiment.baseDir);
  try {
    await datasets.loadAll(cells);
    await assertCellsTakeTheirData(cells, datasets, registry, warn);
  } finally {
    datasets.dispose();
  }
}
