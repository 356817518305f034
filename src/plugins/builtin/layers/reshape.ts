// Layer "reshape": each example given a new shape of the same size.
import * as tf from '@tensorflow/tfjs';
import { defineComponent } from '../../../registry/index.js';
import { product } from './spatial.js';

export interface ReshapeParams {
  shape: number[];
}

export default defineComponent<ReshapeParams>({
  kind: 'layer',
  name: 'reshape',
  description:
    'Gives each example a new shape of the same size, e.g. [28, 28, 1] for 784 features (image datasets do this themselves)',
  params: {
    required: ['shape'],
    properties: {
      shape: {
        type: 'array',
        items: { type: 'integer', minimum: 1, maximum: 1_000_000 },
        minItems: 1,
        maxItems: 4,
        description: 'The shape of one example, e.g. [28, 28, 1].',
      },
    },
  },
  shape(params, input) {
    if (product(params.shape) !== product(input)) {
      throw new Error(
        `reshape to [${params.shape.join(', ')}] (${product(params.shape)} values) cannot take [${input.join(', ')}] (${product(input)} values)`,
      );
    }
    return { output: [...params.shape], params: 0 };
  },
  create(params, context) {
    return tf.layers.reshape({
      targetShape: params.shape,
      inputShape: context.inputShape ? [...context.inputShape] : undefined,
    });
  },
});
