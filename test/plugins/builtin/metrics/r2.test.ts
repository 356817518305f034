// Metric "r2" against a value computed by hand, and its params.
import { assert } from 'chai';
import * as tf from '@tensorflow/tfjs';
import type { Loss, Metric } from '../../../../src/registry/types.js';
import { create, useWasm, value } from '../../../helpers.js';
import { describeParams } from '../params-table.js';

describe('metric r2', () => {
  before(useWasm);
  const context = { task: 'regression' as const, loss: create<Loss>('loss', 'mse') };

  it('on a hand-computed case', () => {
    // prediction [1, 2, 2] against [1, 2, 3]: 1 - SSE 1 / SST 2
    const metric = create<Metric>('metric', 'r2');
    assert.closeTo(value(metric.compute(tf.tensor2d([[1], [2], [2]]), tf.tensor1d([1, 2, 3]), context)), 0.5, 1e-6);
    assert.equal(metric.higherIsBetter, true);
    assert.equal(metric.column, 'r2');
  });
});

describeParams('metric', 'r2', {
  slot: 'metric',
  task: 'regression',
  valid: [
    ['r2', {}],
    ['{ name: r2 }', {}],
  ],
  invalid: [
    [
      '{ name: r2, adjusted: true }',
      'spec.yaml:8:25 training.metrics[0].adjusted: unknown key "adjusted" (this component takes no params)',
    ],
    ['{ name: r3 }', 'spec.yaml:8:21 training.metrics[0].name: unknown metric "r3" (Did you mean "r2"?)'],
  ],
  misplaced: [
    {
      task: 'classification',
      component: 'r2',
      messages: [
        'spec.yaml:8:13 training.metrics[0]: metric "r2" is for regression datasets, and this dataset is classification',
      ],
    },
  ],
});
