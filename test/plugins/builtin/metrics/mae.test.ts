// Metric "mae" against a value computed by hand, and its params.
import { assert } from 'chai';
import * as tf from '@tensorflow/tfjs';
import type { Loss, Metric } from '../../../../src/registry/types.js';
import { create, useWasm, value } from '../../../helpers.js';
import { describeParams } from '../params-table.js';

describe('metric mae', () => {
  before(useWasm);
  const context = { task: 'regression' as const, loss: create<Loss>('loss', 'mse') };

  it('on a hand-computed case', () => {
    // prediction [1, 2, 2] against [1, 2, 3]: |error| 0, 0, 1
    const metric = create<Metric>('metric', 'mae');
    assert.closeTo(value(metric.compute(tf.tensor2d([[1], [2], [2]]), tf.tensor1d([1, 2, 3]), context)), 1 / 3, 1e-6);
    assert.equal(metric.higherIsBetter, false);
    assert.equal(metric.column, 'mae');
  });
});

describeParams('metric', 'mae', {
  slot: 'metric',
  task: 'regression',
  valid: [
    ['mae', {}],
    ['{ name: mae }', {}],
  ],
  invalid: [
    [
      '{ name: mae, multioutput: raw }',
      'spec.yaml:8:26 training.metrics[0].multioutput: unknown key "multioutput" (this component takes no params)',
    ],
    ['{ name: mea }', 'spec.yaml:8:21 training.metrics[0].name: unknown metric "mea" (Did you mean "mae"?)'],
  ],
  misplaced: [
    {
      task: 'classification',
      component: 'mae',
      messages: [
        'spec.yaml:8:13 training.metrics[0]: metric "mae" is for regression datasets, and this dataset is classification',
      ],
    },
  ],
});
