// Optimizer "adam": the params a spec may give it, what they resolve to, and the exact message for each it may not.
import { describeParams } from '../params-table.js';

describeParams('optimizer', 'adam', {
  slot: 'optimizer',
  valid: [
    ['adam', { lr: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 }],
    ['{ name: adam, lr: 0.01, beta1: 0.8 }', { lr: 0.01, beta1: 0.8, beta2: 0.999, epsilon: 1e-7 }],
    [
      '{ name: adam, lr: 0.01, beta1: 0, beta2: 0.99, epsilon: 1e-8 }',
      { lr: 0.01, beta1: 0, beta2: 0.99, epsilon: 1e-8 },
    ],
    // weight_decay has no default: a spec without it resolves as before (its cell ids are unchanged).
    ['{ name: adam, weight_decay: 0.01 }', { lr: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, weight_decay: 0.01 }],
  ],
  invalid: [
    ['{ name: adam, lr: 0 }', 'spec.yaml:7:32 training.optimizer.lr: must be > 0, got 0'],
    ['{ name: adam, lr: "1e-3" }', 'spec.yaml:7:32 training.optimizer.lr: must be number, got "1e-3"'],
    ['{ name: adam, beta1: 1 }', 'spec.yaml:7:35 training.optimizer.beta1: must be < 1, got 1'],
    ['{ name: adam, beta1: -0.1 }', 'spec.yaml:7:35 training.optimizer.beta1: must be >= 0, got -0.1'],
    ['{ name: adam, beta2: 1 }', 'spec.yaml:7:35 training.optimizer.beta2: must be < 1, got 1'],
    ['{ name: adam, beta2: -1 }', 'spec.yaml:7:35 training.optimizer.beta2: must be >= 0, got -1'],
    ['{ name: adam, beta2: "0.9" }', 'spec.yaml:7:35 training.optimizer.beta2: must be number, got "0.9"'],
    ['{ name: adam, epsilon: 0 }', 'spec.yaml:7:37 training.optimizer.epsilon: must be > 0, got 0'],
    ['{ name: adam, weight_decay: -0.01 }', 'spec.yaml:7:42 training.optimizer.weight_decay: must be >= 0, got -0.01'],
    [
      '{ name: adam, beta_1: 0.9 }',
      'spec.yaml:7:28 training.optimizer.beta_1: unknown key "beta_1" (Did you mean "beta1"?)',
    ],
    [
      '{ name: adam, amsgrad: true }',
      'spec.yaml:7:28 training.optimizer.amsgrad: unknown key "amsgrad" (allowed keys: lr, beta1, beta2, epsilon, weight_decay)',
    ],
  ],
});
