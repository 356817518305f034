// Layer "max-pool": the largest value of each window of an image, per channel.
import * as tf from '@tensorflow/tfjs';
import { defineComponent } from '../../../registry/index.js';
import { poolArgs, poolShape } from './pooling.js';
import type { PoolParams } from './pooling.js';
import { sizeSchema } from './spatial.js';

export default defineComponent<PoolParams>({
  kind: 'layer',
  name: 'max-pool',
  description: 'The largest value of each window of an image, per channel (2x2 by default: half the height and width)',
  input: 'image',
  params: {
    properties: {
      pool_size: { ...sizeSchema('Window size: 2, or [height, width].', 64), default: 2 },
      strides: sizeSchema('Step of the window (default: the pool size).', 64),
      padding: { enum: ['same', 'valid'], default: 'valid' },
    },
  },
  shape(params, input) {
    return poolShape('max-pool', params, input);
  },
  create(params, context) {
    return tf.layers.maxPooling2d(poolArgs(params, context));
  },
});
