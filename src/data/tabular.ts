// Tabular data helpers: seeded train/test split and standardisation with the training split's statistics.
import type { DataSplit } from '../shared/index.js';
import { errorDataFile } from '../errors/index.js';
import { permutation } from '../shared/index.js';

/** Rows of features (row-major) with one target per row. */
export interface Table {
  readonly x: Float32Array;
  readonly y: Float32Array | Int32Array;
  readonly n: number;
  readonly features: number;
}

function take(table: Table, rows: ArrayLike<number>): DataSplit {
  const { features } = table;
  const x = new Float32Array(rows.length * features);
  const y = table.y instanceof Int32Array ? new Int32Array(rows.length) : new Float32Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    x.set(table.x.subarray(rows[i] * features, (rows[i] + 1) * features), i * features);
    y[i] = table.y[rows[i]];
  }
  return { x, y, n: rows.length };
}

/**
 * Splits a table by a seeded permutation: the first `round(n * testFraction)` shuffled rows are the
 * test split (`testRows`: their row indices in the table).
 */
export function splitTable(
  table: Table,
  testFraction: number,
  seed: number,
): { train: DataSplit; test: DataSplit; testRows: Int32Array } {
  const order = permutation(table.n, seed);
  const nTest = Math.round(table.n * testFraction);
  return {
    train: take(table, order.subarray(nTest)),
    test: take(table, order.subarray(0, nTest)),
    testRows: order.subarray(0, nTest),
  };
}

/**
 * Checks that a seeded split of `n` rows leaves rows on both sides, before any training sees an empty split.
 * @throws DistilError naming the file, with `alternative` (e.g. "or give dataset.test_path") in the hint.
 */
export function assertSplitSizes(
  dataset: string,
  file: string,
  n: number,
  testFraction: number,
  alternative = '',
): void {
  const nTest = Math.round(n * testFraction);
  if (nTest > 0 && nTest < n) return;
  const [side, change] = nTest === 0 ? ['test', 'raise'] : ['training', 'lower'];
  const hint = alternative
    ? `add rows, ${change} test_fraction, or ${alternative}`
    : `add rows or ${change} test_fraction`;
  throw errorDataFile(
    dataset,
    { file },
    `${n} data rows leave 0 for the ${side} split with test_fraction ${testFraction}`,
    hint,
  );
}

/** Per-feature mean and (population) standard deviation of a split; a constant feature gets std 1. */
export function featureStats(split: DataSplit, features: number): { mean: Float64Array; std: Float64Array } {
  const mean = new Float64Array(features);
  const std = new Float64Array(features);
  for (let i = 0; i < split.n; i++) for (let j = 0; j < features; j++) mean[j] += split.x[i * features + j];
  for (let j = 0; j < features; j++) mean[j] /= split.n;
  for (let i = 0; i < split.n; i++) {
    for (let j = 0; j < features; j++) std[j] += (split.x[i * features + j] - mean[j]) ** 2;
  }
  for (let j = 0; j < features; j++) std[j] = Math.sqrt(std[j] / split.n) || 1;
  return { mean, std };
}

/**
 * Standardises splits in place with the statistics of the first (the training split); returns the
 * transform as a dataset's `input` (shift by the mean, scale by 1 / std), for predictions on raw values.
 * Features that `numeric` marks false (a category's 0/1 features) are left as they are: shift 0, scale 1.
 */
export function standardize(
  train: DataSplit,
  others: readonly DataSplit[],
  features: number,
  numeric?: readonly boolean[],
): { shift: number[]; scale: number[] } {
  const { mean, std } = featureStats(train, features);
  for (let j = 0; j < features; j++) {
    if (numeric && !numeric[j]) [mean[j], std[j]] = [0, 1];
  }
  for (const split of [train, ...others]) {
    for (let i = 0; i < split.n; i++) {
      for (let j = 0; j < features; j++) split.x[i * features + j] = (split.x[i * features + j] - mean[j]) / std[j];
    }
  }
  return { shift: [...mean], scale: [...std].map((s) => 1 / s) };
}

/** The first `limit` rows of a split (all when no limit). */
export function limitSplit(split: DataSplit, features: number, limit?: number): DataSplit {
  if (limit === undefined || limit >= split.n) return split;
  return { x: split.x.subarray(0, limit * features), y: split.y.subarray(0, limit), n: limit };
}
