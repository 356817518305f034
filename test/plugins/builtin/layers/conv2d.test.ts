// Layer "conv2d": the params a spec may give it, what they resolve to, and the exact message for each it may not.
import { describeParams } from '../params-table.js';

const DEFAULTS = { kernel_size: 3, strides: 1, padding: 'same', activation: 'relu', use_bias: true };

describeParams('layer', 'conv2d', {
  slot: 'layer',
  valid: [
    ['{ name: conv2d, filters: 8 }', { filters: 8, ...DEFAULTS }],
    [
      '{ name: conv2d, filters: 4096, kernel_size: [3, 5], strides: [1, 2], padding: valid, activation: gelu, use_bias: false }',
      { filters: 4096, kernel_size: [3, 5], strides: [1, 2], padding: 'valid', activation: 'gelu', use_bias: false },
    ],
    [
      '{ name: conv2d, filters: 1, kernel_size: 64, strides: 64 }',
      { ...DEFAULTS, filters: 1, kernel_size: 64, strides: 64 },
    ],
    ['{ name: conv2d, filters: 8, max_norm: 2 }', { filters: 8, ...DEFAULTS, max_norm: 2 }],
  ],
  invalid: [
    ['{ name: conv2d, filters: 0 }', 'spec.yaml:4:48 models.teacher.layers[0].filters: must be >= 1, got 0'],
    ['{ name: conv2d, filters: 4097 }', 'spec.yaml:4:48 models.teacher.layers[0].filters: must be <= 4096, got 4097'],
    ['{ name: conv2d, filters: 2.5 }', 'spec.yaml:4:48 models.teacher.layers[0].filters: must be integer, got 2.5'],
    [
      '{ name: conv2d, filters: 8, kernel_size: 0 }',
      'spec.yaml:4:64 models.teacher.layers[0].kernel_size: must be an integer from 1 to 64, or a [height, width] pair of them, got 0',
    ],
    [
      '{ name: conv2d, filters: 8, kernel_size: 65 }',
      'spec.yaml:4:64 models.teacher.layers[0].kernel_size: must be an integer from 1 to 64, or a [height, width] pair of them, got 65',
    ],
    [
      '{ name: conv2d, filters: 8, kernel_size: "3" }',
      'spec.yaml:4:64 models.teacher.layers[0].kernel_size: must be an integer from 1 to 64, or a [height, width] pair of them, got "3"',
    ],
    [
      '{ name: conv2d, filters: 8, kernel_size: [3] }',
      'spec.yaml:4:64 models.teacher.layers[0].kernel_size: must be an integer from 1 to 64, or a [height, width] pair of them, got a list',
    ],
    [
      '{ name: conv2d, filters: 8, kernel_size: [3, 0] }',
      'spec.yaml:4:64 models.teacher.layers[0].kernel_size: must be an integer from 1 to 64, or a [height, width] pair of them, got a list',
    ],
    [
      '{ name: conv2d, filters: 8, strides: 0 }',
      'spec.yaml:4:60 models.teacher.layers[0].strides: must be an integer from 1 to 64, or a [height, width] pair of them, got 0',
    ],
    [
      '{ name: conv2d, filters: 8, strides: [1, 2, 1] }',
      'spec.yaml:4:60 models.teacher.layers[0].strides: must be an integer from 1 to 64, or a [height, width] pair of them, got a list',
    ],
    [
      '{ name: conv2d, filters: 8, padding: full }',
      'spec.yaml:4:60 models.teacher.layers[0].padding: must be one of "same", "valid", got "full"',
    ],
    [
      '{ name: conv2d, filters: 8, padding: Same }',
      'spec.yaml:4:60 models.teacher.layers[0].padding: must be one of "same", "valid", got "Same" (Did you mean "same"?)',
    ],
    [
      '{ name: conv2d, filters: 8, activation: softplus }',
      'spec.yaml:4:63 models.teacher.layers[0].activation: must be one of "relu", "linear", "tanh", "sigmoid", "elu", "selu", "swish", "gelu", got "softplus"',
    ],
    [
      '{ name: conv2d, filters: 8, use_bias: yes }',
      'spec.yaml:4:61 models.teacher.layers[0].use_bias: must be boolean, got "yes"',
    ],
    [
      '{ name: conv2d, filters: 8, kernelsize: 3 }',
      'spec.yaml:4:51 models.teacher.layers[0].kernelsize: unknown key "kernelsize" (Did you mean "kernel_size"?)',
    ],
    [
      '{ name: conv2d, filters: 8, dilation: 2 }',
      'spec.yaml:4:51 models.teacher.layers[0].dilation: unknown key "dilation" (allowed keys: filters, kernel_size, strides, padding, activation, use_bias, max_norm)',
    ],
    [
      '{ name: conv2d, filters: 8, max_norm: 0 }',
      'spec.yaml:4:61 models.teacher.layers[0].max_norm: must be > 0, got 0',
    ],
    ['{ name: conv2d }', 'spec.yaml:4:23 models.teacher.layers[0]: missing required key "filters"'],
  ],
});
