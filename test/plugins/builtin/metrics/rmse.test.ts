// Metric "rmse" against a value computed by hand.
import { assert } from 'chai';
import * as tf from '@tensorflow/tfjs';
import type { Loss, Metric } from '../../../../src/registry/types.js';
import { create, useWasm, value } from '../../../helpers.js';

describe('metric rmse', () => {
  before(useWasm);
  const context = { task: 'regression' as const, loss: create<Loss>('loss', 'mse') };

  it('on a hand-computed case', () => {
    // prediction [1, 2, 2] against [1, 2, 3]: the root of SSE 1 over 3 examples
    const metric = create<Metric>('metric', 'rmse');
    assert.closeTo(value(metric.compute(tf.tensor2d([[1], [2], [2]]), tf.tensor1d([1, 2, 3]), context)), Math.sqrt(1 / 3), 1e-6);
    assert.equal(metric.higherIsBetter, false);
    assert.equal(metric.column, 'rmse');
  });
});
