// Loss "soft-mse" against a value computed by hand.
import { assert } from 'chai';
import * as tf from '@tensorflow/tfjs';
import type { Loss } from '../../../../src/registry/types.js';
import { create, useWasm, value } from '../../../helpers.js';

describe('loss soft-mse', () => {
  before(useWasm);

  it('is alpha * MSE(targets) + (1 - alpha) * MSE(teacher)', () => {
    // (0 + 1 + 4) / 3 against the targets; (0 + 0 + 1) / 3 against the teacher
    const prediction = tf.tensor2d([[1], [2], [4]]);
    const target = tf.tensor1d([1, 3, 2]);
    const soft = create<Loss>('loss', 'soft-mse', { alpha: 0.25 });
    assert.closeTo(value(soft.compute(prediction, target, tf.tensor2d([[1], [2], [3]]))), 0.25 * (5 / 3) + 0.75 * (1 / 3), 1e-6);
  });
});
