// What "f1", "precision" and "recall" share: per-class counts over the whole split and scikit-learn's averages of them.
import * as tf from '@tensorflow/tfjs';
import type { JsonSchema, MetricFunction } from '../../../registry/index.js';

/** How per-class scores become one number, as scikit-learn's `average=` says it. */
export type Average = 'macro' | 'micro' | 'weighted';

export interface AverageParams {
  average: Average;
}

/** Per class: true positives, examples predicted as the class, and examples of the class (float32 `[k]`). */
export interface ClassCounts {
  readonly tp: tf.Tensor1D;
  readonly predicted: tf.Tensor1D;
  readonly actual: tf.Tensor1D;
}

/** A per-class score from the counts (0 where it is 0 / 0: scikit-learn's `zero_division=0`). */
type ClassScore = (counts: ClassCounts) => tf.Tensor1D;

/** The `average` param of the three metrics: its schema, with macro by default. */
export const AVERAGE_PARAM: JsonSchema = {
  enum: ['macro', 'micro', 'weighted'],
  default: 'macro',
  description:
    "macro: the mean over the classes of the labels or predictions; micro: from the summed counts; weighted: weighted by each class's examples.",
};

/** The column a metric of `average` writes: `f1` for macro, `f1_micro`, `f1_weighted`. */
export function averageColumn(name: string, average: Average): string {
  return average === 'macro' ? name : `${name}_${average}`;
}

/** `a / b` element-wise, 0 where `b` is 0. */
export function safeDivide(a: tf.Tensor1D, b: tf.Tensor1D): tf.Tensor1D {
  return tf.where(tf.greater(b, 0), tf.div(a, tf.maximum(b, 1e-30)), tf.zerosLike(a)) as tf.Tensor1D;
}

/** The per-class counts of a split's predictions (its highest logit) against its labels. */
export function classCounts(prediction: tf.Tensor2D, target: tf.Tensor): ClassCounts {
  const k = prediction.shape[1];
  const predicted = tf.oneHot(tf.argMax(prediction, 1).toInt(), k).toFloat();
  const actual = tf.oneHot(target.toInt().flatten(), k).toFloat();
  return {
    tp: tf.sum(tf.mul(predicted, actual), 0),
    predicted: tf.sum(predicted, 0),
    actual: tf.sum(actual, 0),
  };
}

/**
 * A metric averaging `score` over the classes as scikit-learn does with `labels=None`: macro over the classes
 * that occur in the labels or the predictions (a class in neither is left out), weighted by each class's
 * examples, or micro: the score of the counts summed over the classes.
 */
export function averagedScore(score: ClassScore, average: Average): MetricFunction {
  return {
    compute: (prediction, target) =>
      tf.tidy(() => {
        const counts = classCounts(prediction, target);
        if (average === 'micro') {
          const sum = (t: tf.Tensor1D) => tf.sum(t).reshape([1]) as tf.Tensor1D;
          return score({ tp: sum(counts.tp), predicted: sum(counts.predicted), actual: sum(counts.actual) }).reshape(
            [],
          );
        }
        const scores = score(counts);
        if (average === 'weighted') return tf.div(tf.sum(tf.mul(scores, counts.actual)), tf.sum(counts.actual));
        const present = tf.cast(tf.greater(tf.add(counts.actual, counts.predicted), 0), 'float32');
        return tf.div(tf.sum(tf.mul(scores, present)), tf.sum(present));
      }),
  };
}
