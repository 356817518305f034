// Metric "accuracy" against a value counted by hand, and its params.
import { assert } from 'chai';
import * as tf from '@tensorflow/tfjs';
import type { Loss, Metric } from '../../../../src/registry/types.js';
import { create, useWasm, value } from '../../../helpers.js';
import { describeParams } from '../params-table.js';

describe('metric accuracy', () => {
  before(useWasm);
  const context = { task: 'regression' as const, loss: create<Loss>('loss', 'mse') };

  it('accuracy counts top-class matches', () => {
    const metric = create<Metric>('metric', 'accuracy');
    const logits = tf.tensor2d([
      [0, 1],
      [2, 0],
      [0, 3],
      [1, 0],
    ]);
    assert.closeTo(value(metric.compute(logits, tf.tensor1d([1, 0, 0, 0], 'int32'), context)), 0.75, 1e-7);
    assert.isTrue(metric.higherIsBetter);
  });
});

describeParams('metric', 'accuracy', {
  slot: 'metric',
  valid: [
    ['accuracy', {}],
    ['{ name: accuracy }', {}],
  ],
  invalid: [
    [
      '{ name: accuracy, top_k: 5 }',
      'spec.yaml:8:31 training.metrics[0].top_k: unknown key "top_k" (this component takes no params)',
    ],
    [
      '{ name: acuracy }',
      'spec.yaml:8:21 training.metrics[0].name: unknown metric "acuracy" (Did you mean "accuracy"?)',
    ],
  ],
  misplaced: [
    {
      task: 'regression',
      component: 'accuracy',
      messages: [
        'spec.yaml:8:13 training.metrics[0]: metric "accuracy" is for classification datasets, and this dataset is regression',
      ],
    },
  ],
});
