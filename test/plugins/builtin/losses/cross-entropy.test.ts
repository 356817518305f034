// Loss "cross-entropy" against values computed by hand, its analytic gradient against autograd's, and its params.
import { assert } from 'chai';
import * as tf from '@tensorflow/tfjs';
import type { Loss } from '../../../../src/registry/types.js';
import { builtinRegistry, create, useWasm, value } from '../../../helpers.js';
import { describeParams } from '../params-table.js';

describe('loss cross-entropy', () => {
  before(useWasm);

  it('cross-entropy is the mean of -log softmax at the label', () => {
    // row 1: -log_softmax([1,2,3])[2] = 0.4076060; row 2: log 3 = 1.0986123
    const loss = create<Loss>('loss', 'cross-entropy');
    const logits = tf.tensor2d([
      [1, 2, 3],
      [1, 1, 1],
    ]);
    assert.closeTo(value(loss.compute(logits, tf.tensor1d([2, 0], 'int32'))), 0.7531091, 1e-6);
    const ce = builtinRegistry().get('loss', 'cross-entropy').definition;
    assert.isTrue(ce.kind === 'loss' && !ce.needsTeacher);
  });

  it('has the gradient of the formula written out', () => {
    // Autograd through the plain formula is the reference for the analytic gradient.
    const logits = tf.tensor2d([
      [1, 2, 3],
      [0.5, -1, 2],
      [0, 0, 0],
    ]);
    const labels = tf.tensor1d([2, 0, 1], 'int32');
    const ce = create<Loss>('loss', 'cross-entropy');
    const ceMine = tf
      .grad((s) => ce.compute(s as tf.Tensor2D, labels))(logits)
      .dataSync();
    const ceTheirs = tf
      .grad(
        (s) => tf.neg(tf.mean(tf.sum(tf.mul(tf.oneHot(labels, 3), tf.logSoftmax(s as tf.Tensor2D)), 1))) as tf.Scalar,
      )(logits)
      .dataSync();
    assert.lengthOf(ceMine, 9, 'one gradient per logit');
    ceMine.forEach((v, i) => assert.closeTo(v, ceTheirs[i], 1e-6));
  });
});

describeParams('loss', 'cross-entropy', {
  slot: 'loss',
  valid: [
    ['cross-entropy', {}],
    ['{ name: cross-entropy }', {}],
  ],
  invalid: [
    [
      '{ name: cross-entropy, label_smoothing: 0.1 }',
      'spec.yaml:8:32 training.loss.label_smoothing: unknown key "label_smoothing" (this component takes no params)',
    ],
    [
      '{ name: cross-entropy, from_logits: true }',
      'spec.yaml:8:32 training.loss.from_logits: unknown key "from_logits" (this component takes no params)',
    ],
    [
      '{ name: cross-entropi }',
      'spec.yaml:8:17 training.loss.name: unknown loss "cross-entropi" (Did you mean "cross-entropy"?)',
    ],
  ],
  misplaced: [
    {
      task: 'regression',
      component: 'cross-entropy',
      messages: [
        'spec.yaml:8:9 training.loss: loss "cross-entropy" is for classification datasets, and this dataset is regression',
      ],
    },
    {
      slot: 'distillation',
      component: 'cross-entropy',
      messages: [
        'spec.yaml:8:15 distillation: loss "cross-entropy" does not use the teacher\'s outputs (use kd for a classification dataset)',
      ],
    },
  ],
});
