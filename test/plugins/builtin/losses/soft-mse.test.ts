// Loss "soft-mse" against a value computed by hand, and its params.
import { assert } from 'chai';
import * as tf from '@tensorflow/tfjs';
import type { Loss } from '../../../../src/registry/types.js';
import { create, useWasm, value } from '../../../helpers.js';
import { describeParams } from '../params-table.js';

describe('loss soft-mse', () => {
  before(useWasm);

  it('is alpha * MSE(targets) + (1 - alpha) * MSE(teacher)', () => {
    // (0 + 1 + 4) / 3 against the targets; (0 + 0 + 1) / 3 against the teacher
    const prediction = tf.tensor2d([[1], [2], [4]]);
    const target = tf.tensor1d([1, 3, 2]);
    const soft = create<Loss>('loss', 'soft-mse', { alpha: 0.25 });
    assert.closeTo(
      value(soft.compute(prediction, target, tf.tensor2d([[1], [2], [3]]))),
      0.25 * (5 / 3) + 0.75 * (1 / 3),
      1e-6,
    );
  });
});

describeParams('loss', 'soft-mse', {
  slot: 'distillation',
  task: 'regression',
  valid: [
    ['soft-mse', { alpha: 0.5 }],
    // Params without a name set the default distillation loss's (soft-mse for regression).
    ['{ alpha: 0 }', { alpha: 0 }],
    ['{ name: soft-mse, alpha: 1 }', { alpha: 1 }],
  ],
  invalid: [
    ['{ name: soft-mse, alpha: 2 }', 'spec.yaml:8:40 distillation.alpha: must be <= 1, got 2'],
    ['{ name: soft-mse, alpha: -1 }', 'spec.yaml:8:40 distillation.alpha: must be >= 0, got -1'],
    ['{ name: soft-mse, alpha: "0.5" }', 'spec.yaml:8:40 distillation.alpha: must be number, got "0.5"'],
    ['{ name: soft-mse, alpa: 0.5 }', 'spec.yaml:8:33 distillation.alpa: unknown key "alpa" (Did you mean "alpha"?)'],
    [
      '{ name: soft-mse, temperature: 2 }',
      'spec.yaml:8:33 distillation.temperature: unknown key "temperature" (allowed keys: alpha)',
    ],
  ],
  misplaced: [
    {
      task: 'classification',
      component: 'soft-mse',
      messages: [
        'spec.yaml:8:15 distillation: loss "soft-mse" is for regression datasets, and this dataset is classification',
      ],
    },
    // A role's label loss has no teacher to read.
    {
      slot: 'loss',
      component: 'soft-mse',
      messages: [
        'spec.yaml:8:9 training.loss: loss "soft-mse" needs the teacher\'s outputs, so it is a distillation: setting, not a role\'s training.loss (use mse for a regression dataset)',
      ],
    },
  ],
});
