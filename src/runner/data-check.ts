// `validate --data`: opens the data files of every dataset an experiment uses, before anything is trained.
import * as tf from '@tensorflow/tfjs';
import { splitSeedOf } from '../config/index.js';
import type { ResolvedConfig, ResolvedExperiment } from '../config/index.js';
import type { Registry } from '../registry/index.js';

/** How many data rows of each file `validate --data` reads, when the dataset can read a sample. */
export const DATA_CHECK_ROWS = 1000;

/** The distinct datasets of the experiment's cells (and of its search points), in the order they first appear. */
function distinctDatasets(experiment: ResolvedExperiment): ResolvedConfig[] {
  const configs = new Map<string, ResolvedConfig>();
  for (const cell of [...(experiment.search?.cells ?? []), ...experiment.cells]) {
    const key = JSON.stringify([cell.config.dataset, splitSeedOf(cell.config)]);
    if (!configs.has(key)) configs.set(key, cell.config);
  }
  return [...configs.values()];
}

/**
 * Checks the data of every dataset the experiment uses: a dataset with `checkData` (csv) has its files opened,
 * their headers and named columns checked and the first `rows` rows of each parsed as the run parses them; any
 * other is loaded whole, as the run loads it (MNIST's 70,000 images take about half a second). Returns one line
 * per file or dataset, saying what was checked.
 * @throws DistilError the run would raise for the same data (DATA_FILE_NOT_FOUND, DATA_FILE_ERROR, DATASET_ERROR...).
 */
export async function checkExperimentData(
  experiment: ResolvedExperiment,
  registry: Registry,
  rows = DATA_CHECK_ROWS,
): Promise<string[]> {
  const lines: string[] = [];
  for (const config of distinctDatasets(experiment)) {
    const { definition } = registry.get('dataset', config.dataset.name);
    if (definition.kind !== 'dataset') continue;
    const params = structuredClone(config.dataset.params) as never;
    const context = { tf, seed: splitSeedOf(config), baseDir: experiment.baseDir, task: config.task };
    if (definition.checkData) {
      lines.push(
        ...(await definition.checkData(params, context, rows)).map((line) => `${config.dataset.name}: ${line}`),
      );
      continue;
    }
    const dataset = await definition.create(params, context);
    const sizes = [`${dataset.train.n.toLocaleString('en-US')} training`];
    if (dataset.validation) sizes.push(`${dataset.validation.n.toLocaleString('en-US')} validation`);
    sizes.push(`${dataset.test.n.toLocaleString('en-US')} test examples`);
    lines.push(`${config.dataset.name}: loaded, ${sizes.join(', ')}`);
  }
  return lines;
}
