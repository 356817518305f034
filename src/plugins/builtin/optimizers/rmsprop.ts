// Optimizer "rmsprop": RMSProp with optional momentum and centring.
import * as tf from '@tensorflow/tfjs';
import { defineComponent } from '../../../registry/index.js';
import { fusedRmsprop, preferFused } from '../../../backend/index.js';

export interface RmspropParams {
  lr: number;
  decay: number;
  momentum: number;
  epsilon: number;
  centered: boolean;
}

export default defineComponent<RmspropParams>({
  kind: 'optimizer',
  name: 'rmsprop',
  description: 'RMSProp',
  params: {
    properties: {
      lr: { type: 'number', exclusiveMinimum: 0, default: 0.001, description: 'Learning rate.' },
      decay: { type: 'number', minimum: 0, exclusiveMaximum: 1, default: 0.9 },
      momentum: { type: 'number', minimum: 0, exclusiveMaximum: 1, default: 0 },
      epsilon: { type: 'number', exclusiveMinimum: 0, default: 1e-7 },
      centered: { type: 'boolean', default: false },
    },
  },
  create({ lr, decay, momentum, epsilon, centered }) {
    return preferFused(
      () => fusedRmsprop(lr, decay, momentum, epsilon, centered),
      () => tf.train.rmsprop(lr, decay, momentum, epsilon, centered),
    );
  },
});
