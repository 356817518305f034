// Loss "mse" against a value computed by hand, and its params.
import { assert } from 'chai';
import * as tf from '@tensorflow/tfjs';
import type { Loss } from '../../../../src/registry/types.js';
import { create, useWasm, value } from '../../../helpers.js';
import { describeParams } from '../params-table.js';

describe('loss mse', () => {
  before(useWasm);

  it('is the mean squared error against the targets', () => {
    // (0 + 1 + 4) / 3
    const prediction = tf.tensor2d([[1], [2], [4]]);
    const target = tf.tensor1d([1, 3, 2]);
    assert.closeTo(value(create<Loss>('loss', 'mse').compute(prediction, target)), 5 / 3, 1e-6);
  });
});

describeParams('loss', 'mse', {
  slot: 'loss',
  task: 'regression',
  valid: [
    ['mse', {}],
    ['{ name: mse }', {}],
  ],
  invalid: [
    [
      '{ name: mse, reduction: sum }',
      'spec.yaml:8:22 training.loss.reduction: unknown key "reduction" (this component takes no params)',
    ],
    ['{ name: mes }', 'spec.yaml:8:17 training.loss.name: unknown loss "mes" (Did you mean "mse"?)'],
  ],
  misplaced: [
    {
      task: 'classification',
      component: 'mse',
      messages: [
        'spec.yaml:8:9 training.loss: loss "mse" is for regression datasets, and this dataset is classification',
      ],
    },
    {
      slot: 'distillation',
      component: 'mse',
      messages: [
        'spec.yaml:8:15 distillation: loss "mse" does not use the teacher\'s outputs (use soft-mse for a regression dataset)',
      ],
    },
  ],
});
