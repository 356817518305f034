// What "max-pool" and "avg-pool" share: their params, their output shape and the tfjs arguments they build.
import type * as tf from '@tensorflow/tfjs';
import type { ComponentContext, JsonSchema } from '../../../registry/index.js';
import { imageDims, pair, sizeSchema, windowed } from './spatial.js';
import type { Padding } from './spatial.js';

export interface PoolParams {
  pool_size: number | [number, number];
  /** Defaults to the pool size: windows that do not overlap. */
  strides?: number | [number, number];
  padding: Padding;
}

/** The params schema of both: the window, its step and the padding. */
export const POOL_PARAMS: JsonSchema = {
  properties: {
    pool_size: { ...sizeSchema('Window size: 2, or [height, width].', 64), default: 2 },
    strides: sizeSchema('Step of the window (default: the pool size).', 64),
    padding: { enum: ['same', 'valid'], default: 'valid' },
  },
};

/** The output shape of a pooling layer named `name` (for messages) on an image input; pooling has no parameters. */
export function poolShape(
  name: string,
  params: PoolParams,
  input: readonly number[],
): { output: number[]; params: number } {
  const [h, w, c] = imageDims(input, name);
  const [ph, pw] = pair(params.pool_size);
  const [sh, sw] = pair(params.strides ?? params.pool_size);
  return { output: [windowed(h, ph, sh, params.padding), windowed(w, pw, sw, params.padding), c], params: 0 };
}

/** The arguments of tfjs's 2-D pooling layers for these params. */
export function poolArgs(params: PoolParams, context: ComponentContext): Parameters<typeof tf.layers.maxPooling2d>[0] {
  return {
    poolSize: pair(params.pool_size),
    strides: pair(params.strides ?? params.pool_size),
    padding: params.padding,
    inputShape: context.inputShape ? [...context.inputShape] : undefined,
  };
}
