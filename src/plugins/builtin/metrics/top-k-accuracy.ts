// Metric "top-k-accuracy": share of examples whose label is among the k highest-scoring classes.
import * as tf from '@tensorflow/tfjs';
import { defineComponent } from '../../../registry/index.js';

export interface TopKParams {
  k: number;
}

export default defineComponent<TopKParams>({
  kind: 'metric',
  name: 'top-k-accuracy',
  description: 'Share of examples whose label is among the k highest-scoring classes (k: 5), column top_<k>_accuracy',
  tasks: ['classification'],
  params: {
    properties: {
      k: {
        type: 'integer',
        minimum: 1,
        default: 5,
        description: 'How many of the highest-scoring classes may hold the label (k at least the classes gives 1).',
      },
    },
  },
  column: (params) => `top_${params.k}_accuracy`,
  columnPattern: /^top_\d+_accuracy$/,
  higherIsBetter: true,
  create(params) {
    return {
      compute: (prediction, target) =>
        tf.tidy(() => {
          const labels = target.toInt().flatten();
          // The label's own score, picked with where (a product with a one-hot would turn -Infinity elsewhere into NaN).
          const mine = tf.cast(tf.oneHot(labels, prediction.shape[1]), 'bool');
          const own = tf.sum(tf.where(mine, prediction, tf.zerosLike(prediction)), 1, true);
          // As TensorFlow's in_top_k: a hit when fewer than k classes score strictly higher than the label (a
          // tie at the boundary is a hit), and never for a score that is not finite.
          const higher = tf.sum(tf.cast(tf.greater(prediction, own), 'float32'), 1);
          const hit = tf.logicalAnd(tf.less(higher, params.k), tf.isFinite(own.flatten()));
          return tf.mean(tf.cast(hit, 'float32'));
        }),
    };
  },
});
