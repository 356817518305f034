// Metric "loss": the role's label loss, here mse against a value computed by hand.
import { assert } from 'chai';
import * as tf from '@tensorflow/tfjs';
import type { Loss, Metric } from '../../../../src/registry/types.js';
import { create, useWasm, value } from '../../../helpers.js';

describe('metric loss', () => {
  before(useWasm);
  const context = { task: 'regression' as const, loss: create<Loss>('loss', 'mse') };

  it('loss reports the role label loss', () => {
    const metric = create<Metric>('metric', 'loss');
    assert.closeTo(value(metric.compute(tf.tensor2d([[1], [2], [4]]), tf.tensor1d([1, 3, 2]), context)), 5 / 3, 1e-6);
  });
});
