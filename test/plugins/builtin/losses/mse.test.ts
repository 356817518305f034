// Loss "mse" against a value computed by hand.
import { assert } from 'chai';
import * as tf from '@tensorflow/tfjs';
import type { Loss } from '../../../../src/registry/types.js';
import { create, useWasm, value } from '../../../helpers.js';

describe('loss mse', () => {
  before(useWasm);

  it('is the mean squared error against the targets', () => {
    // (0 + 1 + 4) / 3
    const prediction = tf.tensor2d([[1], [2], [4]]);
    const target = tf.tensor1d([1, 3, 2]);
    assert.closeTo(value(create<Loss>('loss', 'mse').compute(prediction, target)), 5 / 3, 1e-6);
  });
});
