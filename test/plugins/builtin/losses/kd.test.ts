// Loss "kd" against values computed by hand, its analytic gradient against autograd's, and its params.
import { assert } from 'chai';
import * as tf from '@tensorflow/tfjs';
import type { Loss } from '../../../../src/registry/types.js';
import { assertThrowsMessage, builtinRegistry, create, useWasm, value } from '../../../helpers.js';
import { describeParams } from '../params-table.js';

describe('loss kd', () => {
  before(useWasm);

  it('kd is alpha * CE + (1 - alpha) * T^2 * KL(teacher/T || student/T)', () => {
    // T = 2: KL(softmax([1.5,1,.5]) || softmax([.5,1,1.5])) = 0.3201567; CE = 0.4076060
    const student = tf.tensor2d([[1, 2, 3]]);
    const teacher = tf.tensor2d([[3, 2, 1]]);
    const labels = tf.tensor1d([2], 'int32');
    const half = create<Loss>('loss', 'kd', { temperature: 2, alpha: 0.5 });
    assert.closeTo(
      value(half.compute(student, labels, half.prepareTeacher!(teacher))),
      0.5 * 0.407606 + 0.5 * 4 * 0.3201567,
      1e-6,
    );
    const mostlyHard = create<Loss>('loss', 'kd', { temperature: 2, alpha: 0.8 });
    assert.closeTo(value(mostlyHard.compute(student, labels, mostlyHard.prepareTeacher!(teacher))), 0.5822101, 1e-6);
    const kd = builtinRegistry().get('loss', 'kd').definition;
    assert.isTrue(kd.kind === 'loss' && kd.needsTeacher);
  });

  it('kd with alpha 1 is plain cross-entropy, and with a teacher equal to the student only the hard part remains', () => {
    const student = tf.tensor2d([[1, 2, 3]]);
    const labels = tf.tensor1d([2], 'int32');
    const hardOnly = create<Loss>('loss', 'kd', { temperature: 4, alpha: 1 });
    assert.closeTo(
      value(hardOnly.compute(student, labels, hardOnly.prepareTeacher!(tf.tensor2d([[9, 0, 0]])))),
      0.407606,
      1e-6,
    );
    const half = create<Loss>('loss', 'kd', { temperature: 4, alpha: 0.5 });
    assert.closeTo(value(half.compute(student, labels, half.prepareTeacher!(student))), 0.5 * 0.407606, 1e-6);
  });

  it('has the gradient of the formula written out', () => {
    // Autograd through the plain formula is the reference for the analytic gradients.
    const logits = tf.tensor2d([
      [1, 2, 3],
      [0.5, -1, 2],
      [0, 0, 0],
    ]);
    const labels = tf.tensor1d([2, 0, 1], 'int32');
    const teacher = tf.tensor2d([
      [3, 2, 1],
      [0, 1, 0],
      [2, 2, -1],
    ]);
    const [T, alpha] = [2.5, 0.3];
    const reference = (s: tf.Tensor) => {
      const hard = tf.neg(tf.mean(tf.sum(tf.mul(tf.oneHot(labels, 3), tf.logSoftmax(s as tf.Tensor2D)), 1)));
      const pt = tf.softmax(tf.div(teacher, T));
      const kl = tf.mean(tf.sum(tf.mul(pt, tf.sub(tf.log(pt), tf.logSoftmax(tf.div(s, T) as tf.Tensor2D))), 1));
      return tf.add(tf.mul(alpha, hard), tf.mul((1 - alpha) * T * T, kl)) as tf.Scalar;
    };
    const kd = create<Loss>('loss', 'kd', { temperature: T, alpha });
    const prepared = kd.prepareTeacher!(teacher);
    const mine = tf
      .grad((s) => kd.compute(s as tf.Tensor2D, labels, prepared))(logits)
      .dataSync();
    const theirs = tf.grad(reference)(logits).dataSync();
    assert.lengthOf(mine, 9, 'one gradient per logit');
    mine.forEach((v, i) => assert.closeTo(v, theirs[i], 1e-6));
  });

  it('kd refuses to run without the teacher outputs', () => {
    const loss = create<Loss>('loss', 'kd');
    assertThrowsMessage(
      () => loss.compute(tf.tensor2d([[1, 2]]), tf.tensor1d([0], 'int32')),
      'kd loss needs the teacher outputs',
      { type: Error },
    );
  });
});

describeParams('loss', 'kd', {
  slot: 'distillation',
  valid: [
    ['kd', { temperature: 4, alpha: 0.5 }],
    // Params without a name set the default distillation loss's.
    ['{ temperature: 2 }', { temperature: 2, alpha: 0.5 }],
    ['{ name: kd, temperature: 0.5, alpha: 1 }', { temperature: 0.5, alpha: 1 }],
    ['{ name: kd, alpha: 0 }', { temperature: 4, alpha: 0 }],
  ],
  invalid: [
    ['{ name: kd, temperature: 0 }', 'spec.yaml:8:40 distillation.temperature: must be > 0, got 0'],
    ['{ name: kd, temperature: -1 }', 'spec.yaml:8:40 distillation.temperature: must be > 0, got -1'],
    ['{ name: kd, temperature: hot }', 'spec.yaml:8:40 distillation.temperature: must be number, got "hot"'],
    ['{ name: kd, alpha: 1.1 }', 'spec.yaml:8:34 distillation.alpha: must be <= 1, got 1.1'],
    ['{ name: kd, alpha: -0.1 }', 'spec.yaml:8:34 distillation.alpha: must be >= 0, got -0.1'],
    ['{ name: kd, alpha: half }', 'spec.yaml:8:34 distillation.alpha: must be number, got "half"'],
    [
      '{ name: kd, temprature: 2 }',
      'spec.yaml:8:27 distillation.temprature: unknown key "temprature" (Did you mean "temperature"?)',
    ],
    ['{ name: kd, T: 4 }', 'spec.yaml:8:27 distillation.T: unknown key "T" (Did you mean "temperature"?)'],
    [
      '{ name: kd, beta: 0.5 }',
      'spec.yaml:8:27 distillation.beta: unknown key "beta" (allowed keys: temperature, alpha, standardize)',
    ],
  ],
  misplaced: [
    {
      task: 'regression',
      component: 'kd',
      messages: [
        'spec.yaml:8:15 distillation: loss "kd" is for classification datasets, and this dataset is regression',
      ],
    },
    // A role's label loss has no teacher to read.
    {
      slot: 'loss',
      component: 'kd',
      messages: [
        'spec.yaml:8:9 training.loss: loss "kd" needs the teacher\'s outputs, so it is a distillation: setting, not a role\'s training.loss (use cross-entropy for a classification dataset)',
      ],
    },
    {
      slot: 'loss',
      component: '{ name: kd, temperature: 0 }',
      messages: [
        'spec.yaml:8:9 training.loss: loss "kd" needs the teacher\'s outputs, so it is a distillation: setting, not a role\'s training.loss (use cross-entropy for a classification dataset)',
        'spec.yaml:8:34 training.loss.temperature: must be > 0, got 0',
      ],
    },
  ],
});
