// Layer "dense": a fully connected layer (an integer in a layer list is this with ReLU).
import * as tf from '@tensorflow/tfjs';
import { DENSE_UNITS_MAX } from '../../../shared/index.js';
import { defineComponent } from '../../../registry/index.js';
import { MAX_NORM_PARAM, maxNormConstraint } from './max-norm.js';

export interface DenseParams {
  units: number;
  activation: 'relu' | 'linear' | 'tanh' | 'sigmoid' | 'elu' | 'selu' | 'softplus' | 'swish' | 'gelu';
  use_bias: boolean;
  max_norm?: number;
}

export default defineComponent<DenseParams>({
  kind: 'layer',
  name: 'dense',
  input: 'flat',
  description: 'Fully connected layer, Glorot-uniform weights seeded from the experiment seed',
  params: {
    required: ['units'],
    properties: {
      units: {
        type: 'integer',
        minimum: 1,
        maximum: DENSE_UNITS_MAX,
        description: 'Number of output units (at most 65,536).',
      },
      activation: {
        enum: ['relu', 'linear', 'tanh', 'sigmoid', 'elu', 'selu', 'softplus', 'swish', 'gelu'],
        default: 'relu',
      },
      use_bias: { type: 'boolean', default: true },
      max_norm: MAX_NORM_PARAM,
    },
  },
  shape(params, input) {
    const inputs = input.reduce((a, b) => a * b, 1);
    return { output: [params.units], params: inputs * params.units + (params.use_bias ? params.units : 0) };
  },
  create(params, context) {
    return tf.layers.dense({
      units: params.units,
      activation: params.activation,
      useBias: params.use_bias,
      kernelInitializer: tf.initializers.glorotUniform({ seed: context.seed }),
      biasInitializer: 'zeros',
      // The kernel is [inputs, units]: each unit's incoming weights are a column, the norm is over axis 0.
      kernelConstraint: maxNormConstraint(params.max_norm, 0),
      inputShape: context.inputShape ? [...context.inputShape] : undefined,
    });
  },
});
