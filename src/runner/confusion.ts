// A trained role's confusion matrix on the test split: measured once per model, recorded for every cell that uses it.
import * as tf from '@tensorflow/tfjs';
import type { Confusion } from '../results/index.js';
import type { LoadedData } from './dataset-cache.js';
import { predictInBatches } from './model.js';
import type { SplitTensors } from './train.js';

/**
 * The confusion matrix of a classifier on a split: `counts[t][p]` examples of class t whose highest logit is
 * class p, for the `classes` classes (labels outside them are not counted; a dataset has none).
 */
export function confusionOf(
  model: tf.LayersModel,
  split: SplitTensors,
  batchSize: number,
  classes: number,
): number[][] {
  const predicted = tf.tidy(() => tf.argMax(predictInBatches(model, split.x, batchSize), 1));
  try {
    const guesses = predicted.dataSync();
    const labels = split.y.dataSync();
    const counts = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
    for (let i = 0; i < labels.length; i++) {
      const truth = labels[i];
      if (truth >= 0 && truth < classes) counts[truth][guesses[i]]++;
    }
    return counts;
  } finally {
    predicted.dispose();
  }
}

/** The role's confusion matrix on the data's test split, with the dataset's class names; none for regression. */
export function testConfusion(model: tf.LayersModel, data: LoadedData, batchSize: number): Confusion | undefined {
  const { dataset } = data;
  if (dataset.task !== 'classification') return undefined;
  const counts = confusionOf(model, data.test, batchSize, dataset.outputSize);
  return dataset.classNames ? { counts, names: dataset.classNames } : { counts };
}

/** A role's outcome with its test confusion matrix added (classification; a regression outcome is given back as it is). */
export function withConfusion<R extends { readonly model: tf.LayersModel }>(
  run: R,
  data: LoadedData,
  batchSize: number,
): R {
  const confusion = testConfusion(run.model, data, batchSize);
  return confusion ? { ...run, confusion } : run;
}
