// Layer "reshape": the params a spec may give it, what they resolve to, and the exact message for each it may not.
import { describeParams } from '../params-table.js';

describeParams('layer', 'reshape', {
  slot: 'layer',
  valid: [
    ['{ name: reshape, shape: [28, 28, 1] }', { shape: [28, 28, 1] }],
    ['{ name: reshape, shape: [784] }', { shape: [784] }],
    ['{ name: reshape, shape: [1, 1, 1, 1000000] }', { shape: [1, 1, 1, 1000000] }],
  ],
  invalid: [
    ['{ name: reshape, shape: [] }', 'spec.yaml:4:47 models.teacher.layers[0].shape: must list at least 1 item(s)'],
    [
      '{ name: reshape, shape: [1, 2, 3, 4, 5] }',
      'spec.yaml:4:47 models.teacher.layers[0].shape: must list at most 4 item(s), got 5',
    ],
    ['{ name: reshape, shape: [0] }', 'spec.yaml:4:48 models.teacher.layers[0].shape[0]: must be >= 1, got 0'],
    ['{ name: reshape, shape: [28, -1] }', 'spec.yaml:4:52 models.teacher.layers[0].shape[1]: must be >= 1, got -1'],
    [
      '{ name: reshape, shape: [1000001] }',
      'spec.yaml:4:48 models.teacher.layers[0].shape[0]: must be <= 1000000, got 1000001',
    ],
    ['{ name: reshape, shape: [2.5] }', 'spec.yaml:4:48 models.teacher.layers[0].shape[0]: must be integer, got 2.5'],
    ['{ name: reshape, shape: 784 }', 'spec.yaml:4:47 models.teacher.layers[0].shape: must be array, got 784'],
    ['{ name: reshape }', 'spec.yaml:4:23 models.teacher.layers[0]: missing required key "shape"'],
    [
      '{ name: reshape, shap: [1] }',
      'spec.yaml:4:23 models.teacher.layers[0]: missing required key "shape"',
      'spec.yaml:4:40 models.teacher.layers[0].shap: unknown key "shap" (Did you mean "shape"?)',
    ],
    [
      '{ name: reshape, target_shape: [1] }',
      'spec.yaml:4:23 models.teacher.layers[0]: missing required key "shape"',
      'spec.yaml:4:40 models.teacher.layers[0].target_shape: unknown key "target_shape" (allowed keys: shape)',
    ],
  ],
});
