// Metric "r2": coefficient of determination of regression predictions, 1 - SSE/SST.
import * as tf from '@tensorflow/tfjs';
import { defineComponent } from '../../../registry/index.js';
import { regressionCompute } from './regression-compute.js';

export default defineComponent({
  kind: 'metric',
  name: 'r2',
  description: 'Coefficient of determination, 1 - SSE/SST (higher is better)',
  tasks: ['regression'],
  params: { properties: {} },
  higherIsBetter: true,
  create() {
    return regressionCompute((p, t) =>
      tf.sub(1, tf.div(tf.sum(tf.square(tf.sub(t, p))), tf.sum(tf.square(tf.sub(t, tf.mean(t)))))),
    );
  },
});
