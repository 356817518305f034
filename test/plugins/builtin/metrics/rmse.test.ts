// Metric "rmse" against a value computed by hand, and its params.
import { assert } from 'chai';
import * as tf from '@tensorflow/tfjs';
import type { Loss, Metric } from '../../../../src/registry/types.js';
import { create, useWasm, value } from '../../../helpers.js';
import { describeParams } from '../params-table.js';

describe('metric rmse', () => {
  before(useWasm);
  const context = { task: 'regression' as const, loss: create<Loss>('loss', 'mse') };

  it('on a hand-computed case', () => {
    // prediction [1, 2, 2] against [1, 2, 3]: the root of SSE 1 over 3 examples
    const metric = create<Metric>('metric', 'rmse');
    assert.closeTo(
      value(metric.compute(tf.tensor2d([[1], [2], [2]]), tf.tensor1d([1, 2, 3]), context)),
      Math.sqrt(1 / 3),
      1e-6,
    );
    assert.equal(metric.higherIsBetter, false);
    assert.equal(metric.column, 'rmse');
  });
});

describeParams('metric', 'rmse', {
  slot: 'metric',
  task: 'regression',
  valid: [
    ['rmse', {}],
    ['{ name: rmse }', {}],
  ],
  invalid: [
    [
      '{ name: rmse, squared: false }',
      'spec.yaml:8:27 training.metrics[0].squared: unknown key "squared" (this component takes no params)',
    ],
    ['{ name: rmes }', 'spec.yaml:8:21 training.metrics[0].name: unknown metric "rmes" (Did you mean "rmse"?)'],
  ],
  misplaced: [
    {
      task: 'classification',
      component: 'rmse',
      messages: [
        'spec.yaml:8:13 training.metrics[0]: metric "rmse" is for regression datasets, and this dataset is classification',
      ],
    },
  ],
});
