// Metric "mae": mean absolute error of regression predictions.
import * as tf from '@tensorflow/tfjs';
import { defineComponent } from '../../../registry/index.js';
import { regressionCompute } from './regression-compute.js';

export default defineComponent({
  kind: 'metric',
  name: 'mae',
  description: 'Mean absolute error (lower is better)',
  tasks: ['regression'],
  params: { properties: {} },
  higherIsBetter: false,
  create() {
    return regressionCompute((p, t) => tf.mean(tf.abs(tf.sub(p, t))));
  },
});
