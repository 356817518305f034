// Optimizer "sgd": the params a spec may give it, what they resolve to, and the exact message for each it may not.
import { describeParams } from '../params-table.js';

describeParams('optimizer', 'sgd', {
  slot: 'optimizer',
  valid: [
    ['sgd', { lr: 0.01, momentum: 0, nesterov: false }],
    ['{ name: sgd, lr: 0.5 }', { lr: 0.5, momentum: 0, nesterov: false }],
    ['{ name: sgd, lr: 0.1, momentum: 0.9, nesterov: true }', { lr: 0.1, momentum: 0.9, nesterov: true }],
    // weight_decay has no default: a spec without it resolves as before (its cell ids are unchanged).
    ['{ name: sgd, weight_decay: 5e-4 }', { lr: 0.01, momentum: 0, nesterov: false, weight_decay: 0.0005 }],
    ['{ name: sgd, weight_decay: 0 }', { lr: 0.01, momentum: 0, nesterov: false, weight_decay: 0 }],
  ],
  invalid: [
    ['{ name: sgd, lr: 0 }', 'spec.yaml:7:31 training.optimizer.lr: must be > 0, got 0'],
    ['{ name: sgd, lr: -1 }', 'spec.yaml:7:31 training.optimizer.lr: must be > 0, got -1'],
    ['{ name: sgd, lr: fast }', 'spec.yaml:7:31 training.optimizer.lr: must be number, got "fast"'],
    ['{ name: sgd, lr: .inf }', 'spec.yaml:7:31 training.optimizer.lr: must be a finite number, got .inf'],
    ['{ name: sgd, momentum: 1 }', 'spec.yaml:7:37 training.optimizer.momentum: must be < 1, got 1'],
    ['{ name: sgd, momentum: -0.5 }', 'spec.yaml:7:37 training.optimizer.momentum: must be >= 0, got -0.5'],
    ['{ name: sgd, nesterov: 1 }', 'spec.yaml:7:37 training.optimizer.nesterov: must be boolean, got 1'],
    [
      '{ name: sgd, nesterv: true }',
      'spec.yaml:7:27 training.optimizer.nesterv: unknown key "nesterv" (Did you mean "nesterov"?)',
    ],
    [
      '{ name: sgd, learning_rate: 0.1 }',
      'spec.yaml:7:27 training.optimizer.learning_rate: unknown key "learning_rate" (allowed keys: lr, momentum, nesterov, weight_decay)',
    ],
    ['{ name: sgd, weight_decay: -1 }', 'spec.yaml:7:41 training.optimizer.weight_decay: must be >= 0, got -1'],
    [
      '{ name: sgd, weight_decay: .inf }',
      'spec.yaml:7:41 training.optimizer.weight_decay: must be a finite number, got .inf',
    ],
    [
      '{ name: sgd, weight-decay: 0.1 }',
      'spec.yaml:7:27 training.optimizer.weight-decay: unknown key "weight-decay" (Did you mean "weight_decay"?)',
    ],
    ['{ name: sdg }', 'spec.yaml:7:22 training.optimizer.name: unknown optimizer "sdg" (Did you mean "sgd"?)'],
  ],
});
