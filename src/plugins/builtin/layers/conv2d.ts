// Layer "conv2d": a 2-D convolution over images (NHWC), Glorot-uniform weights seeded from the experiment seed.
import * as tf from '@tensorflow/tfjs';
import { defineComponent } from '../../../registry/index.js';
import { MAX_NORM_PARAM, maxNormConstraint } from './max-norm.js';
import { imageDims, pair, sizeSchema, windowed } from './spatial.js';
import type { Padding } from './spatial.js';

export interface Conv2dParams {
  filters: number;
  kernel_size: number | [number, number];
  strides: number | [number, number];
  padding: Padding;
  activation: 'relu' | 'linear' | 'tanh' | 'sigmoid' | 'elu' | 'selu' | 'swish' | 'gelu';
  use_bias: boolean;
  max_norm?: number;
}

export default defineComponent<Conv2dParams>({
  kind: 'layer',
  name: 'conv2d',
  description: "A 2-D convolution over images ([height, width, channels] in, [height', width', filters] out)",
  input: 'image',
  params: {
    required: ['filters'],
    properties: {
      filters: { type: 'integer', minimum: 1, maximum: 4096, description: 'Output channels.' },
      kernel_size: { ...sizeSchema('Window size: 3, or [height, width].', 64), default: 3 },
      strides: { ...sizeSchema('Step of the window: 1, or [height, width].', 64), default: 1 },
      padding: {
        enum: ['same', 'valid'],
        default: 'same',
        description: 'same keeps the size (at stride 1); valid does not pad.',
      },
      activation: { enum: ['relu', 'linear', 'tanh', 'sigmoid', 'elu', 'selu', 'swish', 'gelu'], default: 'relu' },
      use_bias: { type: 'boolean', default: true },
      max_norm: MAX_NORM_PARAM,
    },
  },
  shape(params, input) {
    const [h, w, c] = imageDims(input, 'conv2d');
    const [kh, kw] = pair(params.kernel_size);
    const [sh, sw] = pair(params.strides);
    return {
      output: [windowed(h, kh, sh, params.padding), windowed(w, kw, sw, params.padding), params.filters],
      params: kh * kw * c * params.filters + (params.use_bias ? params.filters : 0),
    };
  },
  create(params, context) {
    return tf.layers.conv2d({
      filters: params.filters,
      kernelSize: pair(params.kernel_size),
      strides: pair(params.strides),
      padding: params.padding,
      activation: params.activation,
      useBias: params.use_bias,
      kernelInitializer: tf.initializers.glorotUniform({ seed: context.seed }),
      biasInitializer: 'zeros',
      // The kernel is [kh, kw, in, filters]: one filter's incoming weights span axes 0, 1 and 2.
      kernelConstraint: maxNormConstraint(params.max_norm, [0, 1, 2]),
      inputShape: context.inputShape ? [...context.inputShape] : undefined,
    });
  },
});
