// Optimizer "sgd": stochastic gradient descent, with optional (Nesterov) momentum.
import * as tf from '@tensorflow/tfjs';
import { defineComponent } from '../../../registry/index.js';
import { fusedSgd, preferFused } from '../../../backend/index.js';

export interface SgdParams {
  lr: number;
  momentum: number;
  nesterov: boolean;
}

export default defineComponent<SgdParams>({
  kind: 'optimizer',
  name: 'sgd',
  description: 'Stochastic gradient descent with optional momentum',
  params: {
    properties: {
      lr: { type: 'number', exclusiveMinimum: 0, default: 0.01, description: 'Learning rate.' },
      momentum: { type: 'number', minimum: 0, exclusiveMaximum: 1, default: 0 },
      nesterov: { type: 'boolean', default: false },
    },
  },
  create({ lr, momentum, nesterov }) {
    return preferFused(
      () => fusedSgd(lr, momentum, nesterov),
      () => (momentum > 0 ? tf.train.momentum(lr, momentum, nesterov) : tf.train.sgd(lr)),
    );
  },
});
