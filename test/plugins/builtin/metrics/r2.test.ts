// Metric "r2" against a value computed by hand.
import { assert } from 'chai';
import * as tf from '@tensorflow/tfjs';
import type { Loss, Metric } from '../../../../src/registry/types.js';
import { create, useWasm, value } from '../../../helpers.js';

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
