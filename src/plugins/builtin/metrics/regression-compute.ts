// What "mse", "rmse", "mae" and "r2" share: a formula of predictions and targets, the targets reshaped to the predictions.
import * as tf from '@tensorflow/tfjs';
import type { MetricFunction } from '../../../registry/index.js';

/** Predictions `[n, 1]` and targets of the same shape to a scalar. */
export type RegressionFormula = (prediction: tf.Tensor2D, target: tf.Tensor2D) => tf.Scalar;

/** A metric computing `formula` on the test split, in one tidy (targets come as `[n]` or `[n, 1]`). */
export function regressionCompute(formula: RegressionFormula): MetricFunction {
  return {
    compute: (prediction, target) =>
      tf.tidy(() => formula(prediction, target.reshape(prediction.shape) as tf.Tensor2D)),
  };
}
