// Layer "dropout": zeroes a fraction of activations while training (seeded).
import * as tf from '@tensorflow/tfjs';
import { defineComponent } from '../../../registry/types.js';

export interface DropoutParams {
  rate: number;
}

export default defineComponent<DropoutParams>({
  kind: 'layer',
  name: 'dropout',
  description: 'Drops a fraction `rate` of activations during training',
  params: {
    required: ['rate'],
    properties: { rate: { type: 'number', minimum: 0, exclusiveMaximum: 1 } },
  },
  create(params, context) {
    return tf.layers.dropout({ rate: params.rate, seed: context.seed, inputShape: context.inputShape ? [...context.inputShape] : undefined });
  },
});
