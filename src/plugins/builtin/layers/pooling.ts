// Layers "max-pool" and "avg-pool": the largest or the mean value of each window of an image, per channel.
import * as tf from '@tensorflow/tfjs';
import { defineComponent } from '../../../registry/index.js';
import type { ComponentDefinition } from '../../../registry/index.js';
import { imageDims, pair, sizeSchema, windowed } from './spatial.js';
import type { Padding } from './spatial.js';

export interface PoolParams {
  pool_size: number | [number, number];
  /** Defaults to the pool size: windows that do not overlap. */
  strides?: number | [number, number];
  padding: Padding;
}

function pooling(name: 'max-pool' | 'avg-pool', what: string, create: (args: Parameters<typeof tf.layers.maxPooling2d>[0]) => tf.layers.Layer): ComponentDefinition<PoolParams> {
  return defineComponent<PoolParams>({
    kind: 'layer',
    name,
    description: `The ${what} of each window of an image, per channel (2x2 by default: half the height and width)`,
    input: 'image',
    params: {
      properties: {
        pool_size: { ...sizeSchema('Window size: 2, or [height, width].', 64), default: 2 },
        strides: sizeSchema('Step of the window (default: the pool size).', 64),
        padding: { enum: ['same', 'valid'], default: 'valid' },
      },
    },
    shape(params, input) {
      const [h, w, c] = imageDims(input, name);
      const [ph, pw] = pair(params.pool_size);
      const [sh, sw] = pair(params.strides ?? params.pool_size);
      return { output: [windowed(h, ph, sh, params.padding), windowed(w, pw, sw, params.padding), c], params: 0 };
    },
    create(params, context) {
      return create({
        poolSize: pair(params.pool_size),
        strides: pair(params.strides ?? params.pool_size),
        padding: params.padding,
        inputShape: context.inputShape ? [...context.inputShape] : undefined,
      });
    },
  });
}

export const maxPool = pooling('max-pool', 'largest value', (args) => tf.layers.maxPooling2d(args));
export const avgPool = pooling('avg-pool', 'mean', (args) => tf.layers.averagePooling2d(args));

export const globalAvgPool = defineComponent<Record<string, never>>({
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
