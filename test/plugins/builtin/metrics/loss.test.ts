// Metric "loss": the role's label loss, here mse against a value computed by hand; its params.
import { assert } from 'chai';
import * as tf from '@tensorflow/tfjs';
import type { Loss, Metric } from '../../../../src/registry/types.js';
import { create, useWasm, value } from '../../../helpers.js';
import { describeParams } from '../params-table.js';

describe('metric loss', () => {
  before(useWasm);
  const context = { task: 'regression' as const, loss: create<Loss>('loss', 'mse') };

  it('loss reports the role label loss', () => {
    const metric = create<Metric>('metric', 'loss');
    assert.closeTo(value(metric.compute(tf.tensor2d([[1], [2], [4]]), tf.tensor1d([1, 3, 2]), context)), 5 / 3, 1e-6);
  });
});

describeParams('metric', 'loss', {
  slot: 'metric',
  valid: [
    ['loss', {}],
    ['{ name: loss }', {}],
  ],
  invalid: [
    [
      '{ name: loss, weight: 1 }',
      'spec.yaml:8:27 training.metrics[0].weight: unknown key "weight" (this component takes no params)',
    ],
    ['{ name: los }', 'spec.yaml:8:21 training.metrics[0].name: unknown metric "los" (Did you mean "loss"?)'],
  ],
});

// The label loss of any task: valid beside a regression dataset too.
describeParams('metric', 'loss', {
  slot: 'metric',
  task: 'regression',
  valid: [['loss', {}]],
  invalid: [
    [
      '{ name: loss, reduction: mean }',
      'spec.yaml:8:27 training.metrics[0].reduction: unknown key "reduction" (this component takes no params)',
    ],
  ],
});
