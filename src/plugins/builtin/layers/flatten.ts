// Layer "flatten": an example of any shape as one dimension.
import * as tf from '@tensorflow/tfjs';
import { defineComponent } from '../../../registry/index.js';
import { product } from './spatial.js';

export default defineComponent<Record<string, never>>({
  kind: 'layer',
  name: 'flatten',
  description: 'Flattens an example to one dimension (inserted before a dense layer after image layers anyway)',
  params: { properties: {} },
  shape(_params, input) {
    return { output: [product(input)], params: 0 };
  },
  create(_params, context) {
    return tf.layers.flatten({ inputShape: context.inputShape ? [...context.inputShape] : undefined });
  },
});
