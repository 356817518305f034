// Layers "flatten", "reshape" and "batch-norm": shape changes and normalisation, usable in any role's layers.
import * as tf from '@tensorflow/tfjs';
import { defineComponent } from '../../../registry/index.js';

const product = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);

export const flatten = defineComponent<Record<string, never>>({
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

export interface ReshapeParams {
  shape: number[];
}

export const reshape = defineComponent<ReshapeParams>({
  kind: 'layer',
  name: 'reshape',
  description: 'Gives each example a new shape of the same size, e.g. [28, 28, 1] for 784 features (image datasets do this themselves)',
  params: {
    required: ['shape'],
    properties: { shape: { type: 'array', items: { type: 'integer', minimum: 1, maximum: 1_000_000 }, minItems: 1, maxItems: 4, description: 'The shape of one example, e.g. [28, 28, 1].' } },
  },
  shape(params, input) {
    if (product(params.shape) !== product(input)) throw new Error(`reshape to [${params.shape.join(', ')}] (${product(params.shape)} values) cannot take [${input.join(', ')}] (${product(input)} values)`);
    return { output: [...params.shape], params: 0 };
  },
  create(params, context) {
    return tf.layers.reshape({ targetShape: params.shape, inputShape: context.inputShape ? [...context.inputShape] : undefined });
  },
});

export interface BatchNormParams {
  momentum: number;
  epsilon: number;
}

export const batchNorm = defineComponent<BatchNormParams>({
  kind: 'layer',
  name: 'batch-norm',
  description: 'Normalises each channel (or feature) with the batch statistics while training and their moving averages after',
  params: {
    properties: {
      momentum: { type: 'number', minimum: 0, exclusiveMaximum: 1, default: 0.99, description: 'Of the moving averages.' },
      epsilon: { type: 'number', exclusiveMinimum: 0, default: 0.001 },
    },
  },
  shape(_params, input) {
    // Scale and offset are trained; the moving mean and variance are kept too.
    return { output: [...input], params: 4 * input[input.length - 1] };
  },
  create(params, context) {
    return tf.layers.batchNormalization({ momentum: params.momentum, epsilon: params.epsilon, inputShape: context.inputShape ? [...context.inputShape] : undefined });
  },
});
