// Loss "mse": mean squared error on the true targets.
import { defineComponent } from '../../../registry/index.js';
import { meanSquaredError } from './loss-math.js';
import { squaredErrorBatch } from './row-losses.js';

export default defineComponent({
  kind: 'loss',
  name: 'mse',
  description: 'Mean squared error on the true targets (regression)',
  tasks: ['regression'],
  params: { properties: {} },
  create() {
    return { compute: (prediction, target) => meanSquaredError(prediction, target), rows: squaredErrorBatch() };
  },
});
