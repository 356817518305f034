// Layer "dense": the params a spec may give it, what they resolve to, and the exact message for each it may not.
import { describeParams } from '../params-table.js';

describeParams('layer', 'dense', {
  slot: 'layer',
  valid: [
    ['{ name: dense, units: 4 }', { units: 4, activation: 'relu', use_bias: true }],
    ['{ name: dense, units: 1, activation: tanh, use_bias: false }', { units: 1, activation: 'tanh', use_bias: false }],
    ['{ name: dense, units: 65536, activation: gelu }', { units: 65536, activation: 'gelu', use_bias: true }],
    // max_norm has no default: a spec without it resolves as before (its cell ids are unchanged).
    ['{ name: dense, units: 4, max_norm: 3.5 }', { units: 4, activation: 'relu', use_bias: true, max_norm: 3.5 }],
    ['{ name: dense, units: 4, max_norm: 1e-3 }', { units: 4, activation: 'relu', use_bias: true, max_norm: 0.001 }],
    // The shorthand: an integer is a dense layer with ReLU.
    ['8', { units: 8, activation: 'relu', use_bias: true }],
  ],
  invalid: [
    ['{ name: dense, units: 0 }', 'spec.yaml:4:45 models.teacher.layers[0].units: must be >= 1, got 0'],
    ['{ name: dense, units: 65537 }', 'spec.yaml:4:45 models.teacher.layers[0].units: must be <= 65536, got 65537'],
    ['{ name: dense, units: 2.5 }', 'spec.yaml:4:45 models.teacher.layers[0].units: must be integer, got 2.5'],
    ['{ name: dense, units: "4" }', 'spec.yaml:4:45 models.teacher.layers[0].units: must be integer, got "4"'],
    [
      '{ name: dense, units: .nan }',
      'spec.yaml:4:45 models.teacher.layers[0].units: must be a finite integer, got .nan',
    ],
    [
      '0',
      'spec.yaml:4:23 models.teacher.layers[0]: must be a positive integer up to 65536 (Dense units with ReLU) or a layer such as { name: dropout, rate: 0.2 }, got 0',
    ],
    [
      '{ name: dense, units: 4, activation: relu6 }',
      'spec.yaml:4:60 models.teacher.layers[0].activation: must be one of "relu", "linear", "tanh", "sigmoid", "elu", "selu", "softplus", "swish", "gelu", got "relu6" (Did you mean "relu"?)',
    ],
    [
      '{ name: dense, units: 4, activation: 3 }',
      'spec.yaml:4:60 models.teacher.layers[0].activation: must be one of "relu", "linear", "tanh", "sigmoid", "elu", "selu", "softplus", "swish", "gelu", got 3',
    ],
    [
      '{ name: dense, units: 4, use_bias: 1 }',
      'spec.yaml:4:58 models.teacher.layers[0].use_bias: must be boolean, got 1',
    ],
    [
      '{ name: dense, units: 4, unit: 3 }',
      'spec.yaml:4:48 models.teacher.layers[0].unit: unknown key "unit" (Did you mean "units"?)',
    ],
    [
      '{ name: dense, units: 4, kernel: 3 }',
      'spec.yaml:4:48 models.teacher.layers[0].kernel: unknown key "kernel" (allowed keys: units, activation, use_bias, max_norm)',
    ],
    [
      '{ name: dens, units: 4 }',
      'spec.yaml:4:31 models.teacher.layers[0].name: unknown layer "dens" (Did you mean "dense"?)',
    ],
    ['{ name: dense, units: 4, max_norm: 0 }', 'spec.yaml:4:58 models.teacher.layers[0].max_norm: must be > 0, got 0'],
    [
      '{ name: dense, units: 4, max_norm: -2 }',
      'spec.yaml:4:58 models.teacher.layers[0].max_norm: must be > 0, got -2',
    ],
    [
      '{ name: dense, units: 4, max_norm: "3" }',
      'spec.yaml:4:58 models.teacher.layers[0].max_norm: must be number, got "3"',
    ],
    [
      '{ name: dense, units: 4, maxnorm: 3 }',
      'spec.yaml:4:48 models.teacher.layers[0].maxnorm: unknown key "maxnorm" (Did you mean "max_norm"?)',
    ],
    // A missing key is located at the layer, not at the list of layers.
    ['{ name: dense }', 'spec.yaml:4:23 models.teacher.layers[0]: missing required key "units"'],
  ],
});
