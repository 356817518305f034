// Metric "errors" against a count made by hand, and its params.
import { assert } from 'chai';
import * as tf from '@tensorflow/tfjs';
import type { Loss, Metric } from '../../../../src/registry/types.js';
import { builtinRegistry, create, useWasm, value } from '../../../helpers.js';
import { describeParams } from '../params-table.js';

describe('metric errors', () => {
  before(useWasm);
  const context = { task: 'classification' as const, loss: create<Loss>('loss', 'cross-entropy') };

  it('counts the examples whose top class is not the label, as a whole number', () => {
    const metric = create<Metric>('metric', 'errors');
    // Top classes 1, 0, 2, 0 against labels 1, 0, 0, 2: the last two are wrong.
    const logits = tf.tensor2d([
      [0, 1, 0],
      [2, 0, 1],
      [0, 1, 3],
      [5, 0, 4],
    ]);
    assert.strictEqual(value(metric.compute(logits, tf.tensor1d([1, 0, 0, 2], 'int32'), context)), 2);
    assert.strictEqual(value(metric.compute(logits, tf.tensor1d([1, 0, 2, 0], 'int32'), context)), 0);
    assert.isFalse(metric.higherIsBetter);
    assert.equal(metric.column, 'errors');
  });

  it('is lower-is-better for the tables that know only its column', () => {
    assert.strictEqual(builtinRegistry().higherIsBetter('errors'), false);
  });
});

describeParams('metric', 'errors', {
  slot: 'metric',
  valid: [
    ['errors', {}],
    ['{ name: errors }', {}],
  ],
  invalid: [
    [
      '{ name: errors, top_k: 5 }',
      'spec.yaml:8:29 training.metrics[0].top_k: unknown key "top_k" (this component takes no params)',
    ],
    ['{ name: erors }', 'spec.yaml:8:21 training.metrics[0].name: unknown metric "erors" (Did you mean "errors"?)'],
  ],
  misplaced: [
    {
      task: 'regression',
      component: 'errors',
      messages: [
        'spec.yaml:8:13 training.metrics[0]: metric "errors" is for classification datasets, and this dataset is regression',
      ],
    },
  ],
});
