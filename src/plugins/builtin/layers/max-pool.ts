// Layer "max-pool": the largest value of each window of an image, per channel.
import * as tf from '@tensorflow/tfjs';
import { defineComponent } from '../../../registry/index.js';
import { POOL_PARAMS, poolArgs, poolShape } from './pooling.js';
import type { PoolParams } from './pooling.js';

export default defineComponent<PoolParams>({
  kind: 'layer',
  name: 'max-pool',
  description: 'The largest value of each window of an image, per channel (2x2 by default: half the height and width)',
  input: 'image',
  params: POOL_PARAMS,
  shape(params, input) {
    return poolShape('max-pool', params, input);
  },
  create(params, context) {
    return tf.layers.maxPooling2d(poolArgs(params, context));
  },
});
