// Layer "global-avg-pool": the mean of each channel over the whole image.
import * as tf from '@tensorflow/tfjs';
import { defineComponent } from '../../../registry/index.js';
import { imageDims } from './spatial.js';

export default defineComponent<Record<string, never>>({
  kind: 'layer',
  name: 'global-avg-pool',
  description: 'The mean of each channel over the whole image ([height, width, channels] in, [channels] out)',
  input: 'image',
  params: { properties: {} },
  shape(_params, input) {
    return { output: [imageDims(input, 'global-avg-pool')[2]], params: 0 };
  },
  create(_params, context) {
    return tf.layers.globalAveragePooling2d({ inputShape: context.inputShape ? [...context.inputShape] : undefined });
  },
});
