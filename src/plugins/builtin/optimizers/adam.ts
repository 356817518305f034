// Optimizer "adam": Adam (Kingma and Ba, 2014).
import * as tf from '@tensorflow/tfjs';
import { defineComponent } from '../../../registry/index.js';
import { fusedAdam, preferFused } from '../../../backend/index.js';

export interface AdamParams {
  lr: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

export default defineComponent<AdamParams>({
  kind: 'optimizer',
  name: 'adam',
  description: 'Adam with bias correction',
  params: {
    properties: {
      lr: { type: 'number', exclusiveMinimum: 0, default: 0.001, description: 'Learning rate.' },
      beta1: { type: 'number', minimum: 0, exclusiveMaximum: 1, default: 0.9 },
      beta2: { type: 'number', minimum: 0, exclusiveMaximum: 1, default: 0.999 },
      epsilon: { type: 'number', exclusiveMinimum: 0, default: 1e-7 },
    },
  },
  create({ lr, beta1, beta2, epsilon }) {
    return preferFused(
      () => fusedAdam(lr, beta1, beta2, epsilon),
      () => tf.train.adam(lr, beta1, beta2, epsilon),
    );
  },
});
