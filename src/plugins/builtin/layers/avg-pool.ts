// Layer "avg-pool": the mean of each window of an image, per channel.
import * as tf from '@tensorflow/tfjs';
import { defineComponent } from '../../../registry/index.js';
import { POOL_PARAMS, poolArgs, poolShape } from './pooling.js';
import type { PoolParams } from './pooling.js';

export default defineComponent<PoolParams>({
  kind: 'layer',
  name: 'avg-pool',
  description: 'The mean of each window of an image, per channel (2x2 by default: half the height and width)',
  input: 'image',
  params: POOL_PARAMS,
  shape(params, input) {
    return poolShape('avg-pool', params, input);
  },
  create(params, context) {
    return tf.layers.averagePooling2d(poolArgs(params, context));
  },
});
