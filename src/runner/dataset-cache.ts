// Loads each distinct dataset once per run and keeps its splits as tensors on the backend.
import type { DataSplit } from '../shared/index.js';
import * as tf from '@tensorflow/tfjs';
import type { Registry } from '../registry/index.js';
import type { Dataset } from '../registry/index.js';
import type { ResolvedConfig } from '../config/index.js';
import { splitSeedOf } from '../config/index.js';
import type { PlannedCell } from './plan.js';
import type { SplitTensors } from './train.js';
import { deriveSeed, permutation } from '../shared/index.js';

export interface LoadedData {
  readonly dataset: Dataset;
  readonly train: SplitTensors;
  /** Held out of the training split (`dataset.validation`), or the dataset's own validation split. */
  readonly validation?: SplitTensors;
  readonly test: SplitTensors;
}

/**
 * Splits `split` into training and validation rows: a seeded permutation picks `fraction` of the rows
 * (at least one, leaving at least one) for validation. The same seed picks the same rows.
 */
export function holdOut(
  split: DataSplit,
  fraction: number,
  seed: number,
  features: number,
): { train: DataSplit; validation: DataSplit } {
  const held = Math.min(split.n - 1, Math.max(1, Math.round(split.n * fraction)));
  const order = permutation(split.n, seed);
  const take = (rows: Int32Array): DataSplit => {
    const x = new Float32Array(rows.length * features);
    const y = split.y instanceof Int32Array ? new Int32Array(rows.length) : new Float32Array(rows.length);
    rows.forEach((row, i) => {
      x.set(split.x.subarray(row * features, (row + 1) * features), i * features);
      y[i] = split.y[row];
    });
    return { x, y, n: rows.length };
  };
  // Training rows keep their file order; only which rows are held out is random.
  const validationRows = order.slice(0, held).sort();
  const trainRows = order.slice(held).sort();
  return { train: take(trainRows), validation: take(validationRows) };
}

/** The seed that picks the held-out validation rows: the same rows for the same split seed. */
const validationSeed = (config: ResolvedConfig): number => deriveSeed(splitSeedOf(config), 'validation');

function toTensors(split: DataSplit, featureShape: readonly number[]): SplitTensors {
  const features = featureShape.reduce((a, b) => a * b, 1);
  const y = split.y instanceof Int32Array ? tf.tensor1d(split.y, 'int32') : tf.tensor1d(split.y, 'float32');
  return { x: tf.tensor2d(split.x, [split.n, features]), y, n: split.n };
}

/** Creates the dataset component of a config and uploads its splits. */
export async function loadData(registry: Registry, config: ResolvedConfig, baseDir: string): Promise<LoadedData> {
  const definition = registry.get('dataset', config.dataset.name).definition;
  if (definition.kind !== 'dataset') throw new Error(`"${config.dataset.name}" is not a dataset`);
  // The dataset draws its splits from the split seed: by default the same for every seed of the experiment.
  const dataset = await definition.create(structuredClone(config.dataset.params) as never, {
    tf,
    seed: splitSeedOf(config),
    baseDir,
    task: config.task,
  });
  const features = dataset.featureShape.reduce((a, b) => a * b, 1);
  let { train } = dataset;
  let validation = dataset.validation;
  if (!validation && config.validation > 0) {
    ({ train, validation } = holdOut(dataset.train, config.validation, validationSeed(config), features));
  }
  return {
    dataset,
    train: toTensors(train, dataset.featureShape),
    validation: validation ? toTensors(validation, dataset.featureShape) : undefined,
    test: toTensors(dataset.test, dataset.featureShape),
  };
}

export function disposeData(data: LoadedData): void {
  tf.dispose([data.train.x, data.train.y, data.test.x, data.test.y]);
  if (data.validation) tf.dispose([data.validation.x, data.validation.y]);
}

/** Each distinct dataset of a run, loaded once and kept on the backend until the run ends. */
export class DatasetCache {
  /** By dataset key: the splits on the backend, and the config that loaded them (for the manifest). */
  private readonly loaded = new Map<string, { readonly data: LoadedData; readonly config: ResolvedConfig }>();

  constructor(
    private readonly registry: Registry,
    private readonly baseDir: string,
  ) {}

  /** Loads every dataset the cells use, so bad data files are refused before anything is written. */
  async loadAll(cells: readonly PlannedCell[]): Promise<void> {
    for (const planned of cells) await this.get(planned);
  }

  async get(planned: PlannedCell): Promise<LoadedData> {
    const known = this.loaded.get(planned.datasetKey);
    if (known) return known.data;
    const data = await loadData(this.registry, planned.cell.config, this.baseDir);
    this.loaded.set(planned.datasetKey, { data, config: planned.cell.config });
    return data;
  }

  /**
   * Where each loaded dataset came from and how it was split, for the manifest: the component and its
   * params, the seeds of its splits (`split_seed`, and the validation rows' seed derived from it), the split sizes, and what the component reports (files, checksums).
   */
  provenance(): Array<Record<string, unknown>> {
    return [...this.loaded.entries()].map(([key, { data, config }]) => ({
      key,
      name: config.dataset.name,
      params: config.dataset.params,
      split_seed: splitSeedOf(config),
      validation: config.validation,
      validation_seed: config.validation ? validationSeed(config) : null,
      train_n: data.train.n,
      validation_n: data.validation?.n ?? 0,
      test_n: data.test.n,
      info: data.dataset.info ?? {},
    }));
  }

  /** Bytes the other datasets keep on the backend while `planned` runs. */
  bytesExcept(planned: PlannedCell): number {
    let bytes = 0;
    for (const [key, { data }] of this.loaded) {
      if (key === planned.datasetKey) continue;
      for (const split of [data.train, data.validation, data.test]) {
        if (split) bytes += (split.x.size + split.y.size) * 4;
      }
    }
    return bytes;
  }

  dispose(): void {
    for (const { data } of this.loaded.values()) disposeData(data);
    this.loaded.clear();
  }
}
