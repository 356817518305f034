// Layer "batch-norm": the params a spec may give it, what they resolve to, and the exact message for each it may not.
import { describeParams } from '../params-table.js';

describeParams('layer', 'batch-norm', {
  slot: 'layer',
  valid: [
    ['batch-norm', { momentum: 0.99, epsilon: 0.001 }],
    ['{ name: batch-norm, momentum: 0, epsilon: 1e-5 }', { momentum: 0, epsilon: 1e-5 }],
    ['{ name: batch-norm, momentum: 0.999 }', { momentum: 0.999, epsilon: 0.001 }],
  ],
  invalid: [
    ['{ name: batch-norm, momentum: 1 }', 'spec.yaml:4:53 models.teacher.layers[0].momentum: must be < 1, got 1'],
    ['{ name: batch-norm, momentum: -1 }', 'spec.yaml:4:53 models.teacher.layers[0].momentum: must be >= 0, got -1'],
    [
      '{ name: batch-norm, momentum: high }',
      'spec.yaml:4:53 models.teacher.layers[0].momentum: must be number, got "high"',
    ],
    ['{ name: batch-norm, epsilon: 0 }', 'spec.yaml:4:52 models.teacher.layers[0].epsilon: must be > 0, got 0'],
    ['{ name: batch-norm, epsilon: x }', 'spec.yaml:4:52 models.teacher.layers[0].epsilon: must be number, got "x"'],
    [
      '{ name: batch-norm, momentun: 0.9 }',
      'spec.yaml:4:43 models.teacher.layers[0].momentun: unknown key "momentun" (Did you mean "momentum"?)',
    ],
    [
      '{ name: batch-norm, axis: 1 }',
      'spec.yaml:4:43 models.teacher.layers[0].axis: unknown key "axis" (allowed keys: momentum, epsilon)',
    ],
  ],
});
