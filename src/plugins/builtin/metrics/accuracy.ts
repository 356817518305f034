// Metric "accuracy": share of test examples whose top class is the label.
import * as tf from '@tensorflow/tfjs';
import { defineComponent } from '../../../registry/index.js';

export default defineComponent({
  kind: 'metric',
  name: 'accuracy',
  description: 'Share of examples whose highest-scoring class is the label',
  tasks: ['classification'],
  params: { properties: {} },
  higherIsBetter: true,
  create() {
    return {
      compute: (prediction, target) =>
        tf.tidy(() => tf.mean(tf.cast(tf.equal(tf.argMax(prediction, 1), target.toInt().flatten()), 'float32'))),
    };
  },
});
