// Transfer sets (`distillation.transfer`): the training examples the student and the person train on.
import * as tf from '@tensorflow/tfjs';
import type { ResolvedConfig, TransferSet } from '../config/index.js';
import { splitSeedOf } from '../config/index.js';
import { errorTransferSet } from '../errors/index.js';
import { deriveSeed, permutation } from '../shared/index.js';
import type { DatasetCache } from './dataset-cache.js';
import type { PlannedCell } from './plan.js';
import type { SplitTensors } from './train.js';

/** A transfer set as people read it: `without classes 3`, `classes 1, 7, at most 1,000 examples`. */
export function describeTransfer(transfer: TransferSet): string {
  const parts = [
    transfer.excludeClasses &&
      `without class${transfer.excludeClasses.length > 1 ? 'es' : ''} ${transfer.excludeClasses.join(', ')}`,
    transfer.includeClasses &&
      `class${transfer.includeClasses.length > 1 ? 'es' : ''} ${transfer.includeClasses.join(', ')} only`,
    transfer.limit !== undefined && `at most ${transfer.limit.toLocaleString('en-US')} examples`,
  ].filter((part): part is string => typeof part === 'string');
  return parts.join(', ');
}

/**
 * The rows of the training split in the transfer set, ascending (the split's order; each epoch shuffles):
 * those of the kept classes, then, with a limit, that many of them drawn with the split seed (every seed
 * of an experiment trains on the same examples, as it splits the data alike).
 */
export function transferRows(labels: ArrayLike<number>, transfer: TransferSet, seed: number): Int32Array {
  const { excludeClasses, includeClasses, limit } = transfer;
  const kept: number[] = [];
  for (let row = 0; row < labels.length; row++) {
    const label = labels[row];
    if (excludeClasses?.includes(label) || (includeClasses && !includeClasses.includes(label))) continue;
    kept.push(row);
  }
  if (limit === undefined || limit >= kept.length) return Int32Array.from(kept);
  const order = permutation(kept.length, deriveSeed(seed, 'transfer'));
  return Int32Array.from(order.subarray(0, limit), (i) => kept[i]).sort();
}

/** A config's transfer set on a training split: the rows, and the split of those rows (the caller disposes it). */
export function transferSplit(
  config: ResolvedConfig,
  train: SplitTensors,
): { rows: Int32Array; split: SplitTensors } | undefined {
  if (!config.transfer) return undefined;
  const rows = transferRows(train.y.dataSync(), config.transfer, splitSeedOf(config));
  const split = tf.tidy(() => {
    const index = tf.tensor1d(rows, 'int32');
    return { x: tf.gather(train.x, index), y: tf.gather(train.y, index) };
  });
  return { rows, split: { ...split, n: rows.length } };
}

/**
 * Checks, before anything trains, that every transfer set names classes the dataset has and keeps at least
 * one training example.
 * @throws DistilError TRANSFER_SET (exit 2) naming each cell.
 */
export async function assertTransferSetsFit(cells: readonly PlannedCell[], datasets: DatasetCache): Promise<void> {
  const problems: string[] = [];
  for (const planned of cells) {
    const { transfer } = planned.cell.config;
    if (!transfer) continue;
    const data = await datasets.get(planned);
    const where = `cell ${planned.cell.id}${planned.label ? ` (${planned.label})` : ''}, distillation.transfer`;
    const classes = [...(transfer.excludeClasses ?? []), ...(transfer.includeClasses ?? [])];
    const outside = classes.filter((c) => c >= data.dataset.outputSize);
    if (outside.length > 0) {
      problems.push(
        `${where}: class ${outside.join(', ')} is not one of the dataset's ${data.dataset.outputSize} classes (0 to ${data.dataset.outputSize - 1})`,
      );
      continue;
    }
    const rows = transferRows(data.train.y.dataSync(), transfer, splitSeedOf(planned.cell.config));
    if (rows.length === 0) {
      problems.push(
        `${where}: ${describeTransfer(transfer)} leaves no training example (keep at least one class the training split has)`,
      );
    }
  }
  if (problems.length > 0) throw errorTransferSet([...new Set(problems)]);
}
