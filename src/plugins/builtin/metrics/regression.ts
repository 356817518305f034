// Metrics "mse", "rmse", "mae" and "r2" for regression.
import * as tf from '@tensorflow/tfjs';
import { defineComponent } from '../../../registry/index.js';
import type { ComponentDefinition } from '../../../registry/index.js';
import { meanSquaredError } from '../losses/loss-math.js';

type Compute = (prediction: tf.Tensor2D, target: tf.Tensor2D) => tf.Scalar;

function regressionMetric(name: string, description: string, higherIsBetter: boolean, compute: Compute): ComponentDefinition {
  return defineComponent({
    kind: 'metric',
    name,
    description,
    tasks: ['regression'],
    params: { properties: {} },
    higherIsBetter,
    create() {
      return {
        compute: (prediction, target) => tf.tidy(() => compute(prediction, target.reshape(prediction.shape) as tf.Tensor2D)),
      };
    },
  });
}

export const mse = regressionMetric('mse', 'Mean squared error (lower is better)', false, meanSquaredError);
export const rmse = regressionMetric('rmse', 'Root mean squared error (lower is better)', false, (p, t) => tf.sqrt(meanSquaredError(p, t)));
export const mae = regressionMetric('mae', 'Mean absolute error (lower is better)', false, (p, t) => tf.mean(tf.abs(tf.sub(p, t))));
export const r2 = regressionMetric('r2', 'Coefficient of determination, 1 - SSE/SST (higher is better)', true, (p, t) =>
  tf.sub(1, tf.div(tf.sum(tf.square(tf.sub(t, p))), tf.sum(tf.square(tf.sub(t, tf.mean(t)))))),
);
