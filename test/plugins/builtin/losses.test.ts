// The built-in losses and metrics against values computed by hand (see the comments for the math).
import { assert } from 'chai';
import * as tf from '@tensorflow/tfjs';
import type { Loss, Metric } from '../../../src/registry/types.js';
import { assertThrowsMessage, builtinRegistry, create, useWasm, value } from '../../helpers.js';

describe('built-in losses', () => {
  before(useWasm);

  it('cross-entropy is the mean of -log softmax at the label', () => {
    // row 1: -log_softmax([1,2,3])[2] = 0.4076060; row 2: log 3 = 1.0986123
    const loss = create<Loss>('loss', 'cross-entropy');
    const logits = tf.tensor2d([[1, 2, 3], [1, 1, 1]]);
    assert.closeTo(value(loss.compute(logits, tf.tensor1d([2, 0], 'int32'))), 0.7531091, 1e-6);
    const ce = builtinRegistry().get('loss', 'cross-entropy').definition;
    assert.isTrue(ce.kind === 'loss' && !ce.needsTeacher);
  });

  it('kd is alpha * CE + (1 - alpha) * T^2 * KL(teacher/T || student/T)', () => {
    // T = 2: KL(softmax([1.5,1,.5]) || softmax([.5,1,1.5])) = 0.3201567; CE = 0.4076060
    const student = tf.tensor2d([[1, 2, 3]]);
    const teacher = tf.tensor2d([[3, 2, 1]]);
    const labels = tf.tensor1d([2], 'int32');
    const half = create<Loss>('loss', 'kd', { temperature: 2, alpha: 0.5 });
    assert.closeTo(value(half.compute(student, labels, half.prepareTeacher!(teacher))), 0.5 * 0.4076060 + 0.5 * 4 * 0.3201567, 1e-6);
    const mostlyHard = create<Loss>('loss', 'kd', { temperature: 2, alpha: 0.8 });
    assert.closeTo(value(mostlyHard.compute(student, labels, mostlyHard.prepareTeacher!(teacher))), 0.5822101, 1e-6);
    const kd = builtinRegistry().get('loss', 'kd').definition;
    assert.isTrue(kd.kind === 'loss' && kd.needsTeacher);
  });

  it('kd with alpha 1 is plain cross-entropy, and with a teacher equal to the student only the hard part remains', () => {
    const student = tf.tensor2d([[1, 2, 3]]);
    const labels = tf.tensor1d([2], 'int32');
    const hardOnly = create<Loss>('loss', 'kd', { temperature: 4, alpha: 1 });
    assert.closeTo(value(hardOnly.compute(student, labels, hardOnly.prepareTeacher!(tf.tensor2d([[9, 0, 0]])))), 0.4076060, 1e-6);
    const half = create<Loss>('loss', 'kd', { temperature: 4, alpha: 0.5 });
    assert.closeTo(value(half.compute(student, labels, half.prepareTeacher!(student))), 0.5 * 0.4076060, 1e-6);
  });

  it('cross-entropy and kd gradients equal the gradients of the formulas written out', () => {
    // Autograd through the plain formula is the reference for the analytic gradients.
    const logits = tf.tensor2d([[1, 2, 3], [0.5, -1, 2], [0, 0, 0]]);
    const labels = tf.tensor1d([2, 0, 1], 'int32');
    const teacher = tf.tensor2d([[3, 2, 1], [0, 1, 0], [2, 2, -1]]);
    const [T, alpha] = [2.5, 0.3];
    const reference = (s: tf.Tensor) => {
      const hard = tf.neg(tf.mean(tf.sum(tf.mul(tf.oneHot(labels, 3), tf.logSoftmax(s as tf.Tensor2D)), 1)));
      const pt = tf.softmax(tf.div(teacher, T));
      const kl = tf.mean(tf.sum(tf.mul(pt, tf.sub(tf.log(pt), tf.logSoftmax(tf.div(s, T) as tf.Tensor2D))), 1));
      return tf.add(tf.mul(alpha, hard), tf.mul((1 - alpha) * T * T, kl)) as tf.Scalar;
    };
    const kd = create<Loss>('loss', 'kd', { temperature: T, alpha });
    const prepared = kd.prepareTeacher!(teacher);
    const mine = tf.grad((s) => kd.compute(s as tf.Tensor2D, labels, prepared))(logits).dataSync();
    const theirs = tf.grad(reference)(logits).dataSync();
    assert.lengthOf(mine, 9, 'one gradient per logit');
    mine.forEach((v, i) => assert.closeTo(v, theirs[i], 1e-6));
    const ce = create<Loss>('loss', 'cross-entropy');
    const ceMine = tf.grad((s) => ce.compute(s as tf.Tensor2D, labels))(logits).dataSync();
    const ceTheirs = tf.grad((s) => tf.neg(tf.mean(tf.sum(tf.mul(tf.oneHot(labels, 3), tf.logSoftmax(s as tf.Tensor2D)), 1))) as tf.Scalar)(logits).dataSync();
    assert.lengthOf(ceMine, 9, 'one gradient per logit');
    ceMine.forEach((v, i) => assert.closeTo(v, ceTheirs[i], 1e-6));
  });

  it('kd refuses to run without the teacher outputs', () => {
    const loss = create<Loss>('loss', 'kd');
    assertThrowsMessage(() => loss.compute(tf.tensor2d([[1, 2]]), tf.tensor1d([0], 'int32')), 'kd loss needs the teacher outputs', { type: Error });
  });

  it('mse and soft-mse', () => {
    // (0 + 1 + 4) / 3 against the targets; (0 + 0 + 1) / 3 against the teacher
    const prediction = tf.tensor2d([[1], [2], [4]]);
    const target = tf.tensor1d([1, 3, 2]);
    assert.closeTo(value(create<Loss>('loss', 'mse').compute(prediction, target)), 5 / 3, 1e-6);
    const soft = create<Loss>('loss', 'soft-mse', { alpha: 0.25 });
    assert.closeTo(value(soft.compute(prediction, target, tf.tensor2d([[1], [2], [3]]))), 0.25 * (5 / 3) + 0.75 * (1 / 3), 1e-6);
  });
});

describe('built-in metrics', () => {
  before(useWasm);
  const context = { task: 'regression' as const, loss: create<Loss>('loss', 'mse') };

  it('accuracy counts top-class matches', () => {
    const metric = create<Metric>('metric', 'accuracy');
    const logits = tf.tensor2d([[0, 1], [2, 0], [0, 3], [1, 0]]);
    assert.closeTo(value(metric.compute(logits, tf.tensor1d([1, 0, 0, 0], 'int32'), context)), 0.75, 1e-7);
    assert.isTrue(metric.higherIsBetter);
  });

  const regression: Array<[string, number, boolean]> = [
    // prediction [1, 2, 2] against [1, 2, 3]: SSE 1, SST 2, |error| 0, 0, 1
    ['mse', 1 / 3, false],
    ['rmse', Math.sqrt(1 / 3), false],
    ['mae', 1 / 3, false],
    ['r2', 0.5, true],
  ];
  for (const [name, expected, higherIsBetter] of regression) {
    it(`${name} on a hand-computed case`, () => {
      const metric = create<Metric>('metric', name);
      assert.closeTo(value(metric.compute(tf.tensor2d([[1], [2], [2]]), tf.tensor1d([1, 2, 3]), context)), expected, 1e-6);
      assert.equal(metric.higherIsBetter, higherIsBetter);
      assert.equal(metric.column, name);
    });
  }

  it('loss reports the role label loss', () => {
    const metric = create<Metric>('metric', 'loss');
    assert.closeTo(value(metric.compute(tf.tensor2d([[1], [2], [4]]), tf.tensor1d([1, 3, 2]), context)), 5 / 3, 1e-6);
  });
});
