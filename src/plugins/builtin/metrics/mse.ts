// Metric "mse": mean squared error of regression predictions.
import { defineComponent } from '../../../registry/index.js';
import { meanSquaredError } from '../losses/loss-math.js';
import { regressionCompute } from './regression-compute.js';

export default defineComponent({
  kind: 'metric',
  name: 'mse',
  description: 'Mean squared error (lower is better)',
  tasks: ['regression'],
  params: { properties: {} },
  higherIsBetter: false,
  create() {
    return regressionCompute(meanSquaredError);
  },
});
