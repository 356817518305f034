// Metric "loss": the role's own training loss on the labels, on the test split.
import { defineComponent } from '../../../registry/index.js';

export default defineComponent({
  kind: 'metric',
  name: 'loss',
  description: "The role's label loss on the test split (lower is better)",
  params: { properties: {} },
  higherIsBetter: false,
  create() {
    return { compute: (prediction, target, context) => context.loss.compute(prediction, target) };
  },
});
