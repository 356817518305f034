// Metric "accuracy" against a value counted by hand.
import { assert } from 'chai';
import * as tf from '@tensorflow/tfjs';
import type { Loss, Metric } from '../../../../src/registry/types.js';
import { create, useWasm, value } from '../../../helpers.js';

describe('metric accuracy', () => {
  before(useWasm);
  const context = { task: 'regression' as const, loss: create<Loss>('loss', 'mse') };

  it('accuracy counts top-class matches', () => {
    const metric = create<Metric>('metric', 'accuracy');
    const logits = tf.tensor2d([[0, 1], [2, 0], [0, 3], [1, 0]]);
    assert.closeTo(value(metric.compute(logits, tf.tensor1d([1, 0, 0, 0], 'int32'), context)), 0.75, 1e-7);
    assert.isTrue(metric.higherIsBetter);
  });
});
