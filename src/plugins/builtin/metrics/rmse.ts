// Metric "rmse": root mean squared error of regression predictions.
import * as tf from '@tensorflow/tfjs';
import { defineComponent } from '../../../registry/index.js';
import { meanSquaredError } from '../losses/loss-math.js';
import { regressionCompute } from './regression-compute.js';

export default defineComponent({
  kind: 'metric',
  name: 'rmse',
  description: 'Root mean squared error (lower is better)',
  tasks: ['regression'],
  params: { properties: {} },
  higherIsBetter: false,
  create() {
    return regressionCompute((p, t) => tf.sqrt(meanSquaredError(p, t)));
  },
});
