// Optimizer "rmsprop": the params a spec may give it, what they resolve to, and the exact message for each it may not.
import { describeParams } from '../params-table.js';

const DEFAULTS = { lr: 0.001, decay: 0.9, momentum: 0, epsilon: 1e-7, centered: false };

describeParams('optimizer', 'rmsprop', {
  slot: 'optimizer',
  valid: [
    ['rmsprop', DEFAULTS],
    ['{ name: rmsprop, centered: true }', { ...DEFAULTS, centered: true }],
    [
      '{ name: rmsprop, lr: 0.01, decay: 0, momentum: 0.5, epsilon: 1e-6 }',
      { lr: 0.01, decay: 0, momentum: 0.5, epsilon: 1e-6, centered: false },
    ],
  ],
  invalid: [
    ['{ name: rmsprop, lr: 0 }', 'spec.yaml:7:35 training.optimizer.lr: must be > 0, got 0'],
    ['{ name: rmsprop, lr: false }', 'spec.yaml:7:35 training.optimizer.lr: must be number, got false'],
    ['{ name: rmsprop, decay: 1.5 }', 'spec.yaml:7:38 training.optimizer.decay: must be < 1, got 1.5'],
    ['{ name: rmsprop, decay: -1 }', 'spec.yaml:7:38 training.optimizer.decay: must be >= 0, got -1'],
    ['{ name: rmsprop, momentum: 1 }', 'spec.yaml:7:41 training.optimizer.momentum: must be < 1, got 1'],
    ['{ name: rmsprop, momentum: -0.1 }', 'spec.yaml:7:41 training.optimizer.momentum: must be >= 0, got -0.1'],
    ['{ name: rmsprop, epsilon: -1 }', 'spec.yaml:7:40 training.optimizer.epsilon: must be > 0, got -1'],
    ['{ name: rmsprop, centered: "true" }', 'spec.yaml:7:41 training.optimizer.centered: must be boolean, got "true"'],
    [
      '{ name: rmsprop, centred: true }',
      'spec.yaml:7:31 training.optimizer.centred: unknown key "centred" (Did you mean "centered"?)',
    ],
    [
      '{ name: rmsprop, rho: 0.9 }',
      'spec.yaml:7:31 training.optimizer.rho: unknown key "rho" (allowed keys: lr, decay, momentum, epsilon, centered)',
    ],
  ],
});
