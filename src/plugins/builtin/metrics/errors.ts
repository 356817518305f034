// Metric "errors": how many test examples the model misclassifies (the count Hinton et al. 2015 report).
import * as tf from '@tensorflow/tfjs';
import { defineComponent } from '../../../registry/index.js';

export default defineComponent({
  kind: 'metric',
  name: 'errors',
  description: 'Number of examples whose highest-scoring class is not the label (lower is better)',
  tasks: ['classification'],
  params: { properties: {} },
  higherIsBetter: false,
  create() {
    return {
      compute: (prediction, target) =>
        tf.tidy(() => tf.sum(tf.cast(tf.notEqual(tf.argMax(prediction, 1), target.toInt().flatten()), 'float32'))),
    };
  },
});
