// Layer "batch-norm": normalises each channel with batch statistics while training, moving averages after.
import * as tf from '@tensorflow/tfjs';
import { defineComponent } from '../../../registry/index.js';

export interface BatchNormParams {
  momentum: number;
  epsilon: number;
}

export default defineComponent<BatchNormParams>({
  kind: 'layer',
  name: 'batch-norm',
  description:
    'Normalises each channel (or feature) with the batch statistics while training and their moving averages after',
  params: {
    properties: {
      momentum: {
        type: 'number',
        minimum: 0,
        exclusiveMaximum: 1,
        default: 0.99,
        description: 'Of the moving averages.',
      },
      epsilon: { type: 'number', exclusiveMinimum: 0, default: 0.001 },
    },
  },
  shape(_params, input) {
    // Scale and offset are trained; the moving mean and variance are kept too.
    return { output: [...input], params: 4 * input[input.length - 1] };
  },
  create(params, context) {
    return tf.layers.batchNormalization({
      momentum: params.momentum,
      epsilon: params.epsilon,
      inputShape: context.inputShape ? [...context.inputShape] : undefined,
    });
  },
});
